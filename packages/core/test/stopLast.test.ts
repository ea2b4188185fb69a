import { scaledMs } from '@kas/testkit';
import { describe, expect, it } from 'vitest';
import { analyzeComposition } from '../src/analysis.js';
import {
  type AnyModule,
  CoreError,
  createApp,
  createToken,
  type Duration,
  defineModule,
  resolvePlan,
  type StopDeclaration,
} from '../src/index.js';
import { startTestApp } from '../src/testing/index.js';

const ClientToken = createToken<{ isOpen: boolean }>('connection.client');
const hooks = () => ({ start: async () => {}, stop: async () => {} });
type Declaration = { readonly stop?: StopDeclaration; readonly drainBudget?: Duration };
const plain = (name: string, extra: Declaration = {}) => defineModule({ name, ...extra, create: hooks });
const followsOf = (modules: readonly AnyModule[]) =>
  Object.fromEntries(
    resolvePlan({ modules }).stop.stages.map((stage) => [stage.id, [...stage.follows].sort()]),
  );

describe('stop: { last: true }', () => {
  it('stops a module after every module that does not declare last, including one it has never heard of', () => {
    const connection = defineModule({
      name: 'connection',
      stop: { last: true },
      provides: { client: ClientToken },
      create: () => ({ ...hooks(), provides: { client: { isOpen: true } } }),
    });
    const metrics = plain('metrics', { stop: { last: true } });
    // Neither names the other modules, and "late-addition" has no start relation to either of them.
    const modules = [metrics, connection, plain('edge'), plain('late-addition', { drainBudget: '2h' })];
    expect(followsOf(modules)).toEqual({
      edge: [],
      'late-addition': [],
      connection: ['edge', 'late-addition'],
      metrics: ['edge', 'late-addition'],
    });
  });

  it('keeps the default between modules that both declare last, and a relation either side names', () => {
    const connection = defineModule({
      name: 'connection',
      stop: { last: true },
      provides: { client: ClientToken },
      create: () => ({ ...hooks(), provides: { client: { isOpen: true } } }),
    });
    const pool = defineModule({
      name: 'pool',
      stop: { last: true },
      needs: { client: ClientToken }, // started after connection: stops before it, both last
      create: hooks,
    });
    const edge = plain('edge', { stop: { alongside: ['pool'] } }); // named by edge: no order with pool
    expect(followsOf([connection, pool, edge])).toEqual({ edge: [], pool: [], connection: ['edge', 'pool'] });
  });

  it('runs: the last modules stop only when the others have stopped', async () => {
    const order: string[] = [];
    const record = (name: string, extra: Declaration = {}) =>
      defineModule({
        name,
        ...extra,
        create: () => ({
          start: async () => {},
          stop: async () => {
            order.push(name);
          },
        }),
      });
    const { stop } = await startTestApp({
      modules: [record('infra', { stop: { last: true } }), record('a'), record('b')],
    });
    await stop();
    expect(order.at(-1)).toBe('infra');
  });

  it('reports a module that declares after a last module: the last one would silently not be last (there was no finding)', () => {
    const { plan, problems } = analyzeComposition({
      modules: [plain('infra', { stop: { last: true } }), plain('audit', { stop: { after: ['infra'] } })],
    });
    expect(problems).toEqual([
      {
        code: 'KAS_STOP_CONTRADICTION',
        message:
          '"infra" declares stop: { last: true } (stop after every module that does not declare last), but "audit" declares stop: { after: ["infra"] } (stop after "infra"): both cannot hold',
        fix: 'drop one of them: remove "infra" from the stop.after of "audit", or drop last on "infra" (and name in its stop.after the modules it must stop after); if "audit" must stop after "infra" and after everything else, declare stop: { last: true } on "audit" too',
        modules: ['infra', 'audit'],
      },
    ]);
    expect(plan).toBeDefined(); // the linter still checks the rest of the plan
  });

  it('orders last modules by an after between them, and keeps a last module and one it names in with as one last stage', () => {
    // Both last: "after" orders them like any other pair; their default yields to it.
    expect(
      followsOf([
        plain('audit', { stop: { last: true, after: ['infra'] } }),
        plain('infra', { stop: { last: true } }),
        plain('edge'),
      ]),
    ).toEqual({ edge: [], infra: ['edge'], audit: ['edge', 'infra'] });
    // A last module with another in one stage: the stage stops after every other module, whichever side names the pair.
    for (const modules of [
      [plain('metrics', { stop: { last: true, with: ['audit'] } }), plain('audit'), plain('edge')],
      [
        plain('metrics', { stop: { last: true } }),
        plain('audit', { stop: { with: ['metrics'] } }),
        plain('edge'),
      ],
    ]) {
      expect(followsOf(modules)).toEqual({ edge: [], 'metrics+audit': ['edge'] });
    }
  });

  it('refuses a last that is not a boolean', () => {
    expect(() =>
      createApp({ modules: [{ name: 'x', stop: { last: 'yes' }, create: hooks } as unknown as AnyModule] }),
    ).toThrow(CoreError);
  });
});

describe('stop: { last: true } at scale', () => {
  // Module objects as a loader builds them, not through defineModule, whose call-site capture would
  // be most of the cost: under a loaded CI machine the test must stay far from its time-out.
  const bare = (name: string, extra: Declaration = {}): AnyModule => ({
    name,
    ...extra,
    create: () => ({ provides: {}, ...hooks() }),
  });
  // Each module that declares last was compared with every module of the app: 50,000 modules that all
  // declare it took 38 s to compose (60,000: about 55 s on an idle machine); visiting only the modules
  // that do not declare last, it took 7 s, most of it zeroing two sets of `position` bits per module
  // (450 MB; 59 s in a CI run beside other suites). Sized by each module's latest dependency it takes
  // about 1.3 s idle, and up to 23 s in a full CI run on 2 cores, whose load the time-out's scale (the
  // load average when the suite starts) lags behind: hence 45 s, which the quadratic comparison exceeds
  // on an idle machine too. The oversized sets it does not catch: what plan resolution costs at scale is
  // for `npm run bench -- graph-lint` to measure.
  it('composes 60,000 modules that all declare last, each its own stage in no order', {
    timeout: scaledMs(60_000),
  }, () => {
    const modules = Array.from({ length: 60_000 }, (_, i) => bare(`m${i}`, { stop: { last: true } }));
    const { plan, problems } = analyzeComposition({ modules });
    expect(problems).toEqual([]);
    expect(plan?.stop.stages).toHaveLength(60_000);
    expect(plan?.stop.edges).toEqual([]);
  });

  // The check that nothing orders an alongside pair walks the stop stages with a set per stage, sized by
  // its position: 430 MB and 3 s for 60,000 stages in no order, where one module declares alongside.
  it('checks an alongside pair among 60,000 stages in no order, and finds the order a chain imposes', {
    timeout: scaledMs(60_000),
  }, () => {
    const free = Array.from({ length: 60_000 }, (_, i) =>
      bare(`m${i}`, i === 0 ? { stop: { alongside: ['m1'] } } : {}),
    );
    const { plan, problems } = analyzeComposition({ modules: free });
    expect(problems).toEqual([]);
    expect(plan?.stop.stages).toHaveLength(60_000);
    // m1 after m2 after m0: the pair is ordered through m2, and still found among them all.
    const ordered = free.map((module, i) =>
      i === 1
        ? bare('m1', { stop: { after: ['m2'] } })
        : i === 2
          ? bare('m2', { stop: { after: ['m0'] } })
          : module,
    );
    expect(analyzeComposition({ modules: ordered }).problems.map((problem) => problem.message)).toEqual([
      expect.stringMatching(
        /^"m0" declares alongside: \["m1"\], but other relations make "m0" stop before "m1"/,
      ),
    ]);
  });
});
