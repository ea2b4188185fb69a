import { scaledMs } from '@kas/testkit';
import { describe, expect, it } from 'vitest';
import { analyzeComposition } from '../src/analysis.js';
import { type AnyModule, createApp, defineModule, GraphError, type StopDeclaration } from '../src/index.js';

const hooks = () => ({ start: async () => {}, stop: async () => {} });
const declare = (name: string, startAfter: readonly string[] = [], stop: StopDeclaration = {}) =>
  defineModule({ name, startAfter, stop, create: hooks });

const problemsOf = (modules: readonly AnyModule[]) =>
  analyzeComposition({ modules }).problems.map((problem) => [problem.code, [...problem.modules].sort()]);

describe('cycles: every independent one is reported', () => {
  it('reports two independent start cycles as two problems, in composition order (only the first was reported)', () => {
    expect(
      problemsOf([
        declare('a', ['b']),
        declare('b', ['a']),
        declare('downstream', ['a']), // waits on a cycle without being on one: no problem of its own
        declare('c', ['d']),
        declare('d', ['c']),
        declare('self', ['self']),
      ]),
    ).toEqual([
      ['KAS_START_CYCLE', ['a', 'b']],
      ['KAS_START_CYCLE', ['c', 'd']],
      ['KAS_START_CYCLE', ['self']],
    ]);
  });

  it('reports two independent stop cycles as two problems, each with its path and reasons', () => {
    const ring = (suffix: string) => [
      declare(`store${suffix}`),
      declare(`cache${suffix}`, [`store${suffix}`]),
      declare(`server${suffix}`, [`cache${suffix}`], { after: [`store${suffix}`] }),
    ];
    const { problems } = analyzeComposition({ modules: [...ring('1'), ...ring('2')] });
    expect(problems.map((problem) => [problem.code, [...problem.modules].sort()])).toEqual([
      ['KAS_STOP_CYCLE', ['cache1', 'server1', 'store1']],
      ['KAS_STOP_CYCLE', ['cache2', 'server2', 'store2']],
    ]);
    for (const [index, suffix] of ['1', '2'].entries()) {
      expect(problems[index]?.message).toContain(`store${suffix} -[after]-> server${suffix}`);
      expect(problems[index]?.message).toContain(`server${suffix} -[default]-> cache${suffix}`);
    }
  });

  it('labels an order that stop.last makes "last", not "after", and says how to undo it (its fix named an "after" nobody wrote)', () => {
    const { problems } = analyzeComposition({
      modules: [
        defineModule({ name: 'metrics', stop: { last: true }, create: hooks }),
        declare('queue'),
        declare('worker', ['queue'], { after: ['metrics'] }),
      ],
    });
    const cycle = problems.find((problem) => problem.code === 'KAS_STOP_CYCLE');
    expect(cycle?.message).toContain('metrics -[after]-> worker -[default]-> queue -[last]-> metrics');
    expect(cycle?.fix).toContain('a "last" pair: drop that module\'s last');
  });

  it('createApp refuses them all, its message naming the first and counting the rest by code', () => {
    const pairs = (count: number) =>
      Array.from({ length: count }, (_, i) => [
        declare(`a${i}`, [`b${i}`]),
        declare(`b${i}`, [`a${i}`]),
      ]).flat();
    expect(() => createApp({ modules: pairs(2) })).toThrow(
      /^start cycle: a0 -> b0 -> a0 \(a0 declares startAfter b0; b0 declares startAfter a0\) \(and 1 more problem: KAS_START_CYCLE\)$/,
    );
    // Each code once with a count: it listed the code of every other problem, a line of 80 KB for 5,000.
    expect(() => createApp({ modules: [...pairs(500), declare('x', ['ghost', 'spook'])] })).toThrow(
      /\) \(and 501 more problems: KAS_UNKNOWN_MODULE, KAS_START_CYCLE ×500\)$/,
    );
  });

  it('reports one problem for cycles that share modules (one strongly connected part)', () => {
    expect(problemsOf([declare('hub', ['x', 'y']), declare('x', ['hub']), declare('y', ['hub'])])).toEqual([
      ['KAS_START_CYCLE', ['hub', 'x']],
    ]);
  });

  it('reports 5,000 start cycles and 3,000 stop cycles among 10,000 modules, and a cycle through all 10,000, without recursion', {
    timeout: scaledMs(60_000),
  }, () => {
    const pairs = Array.from({ length: 5_000 }, (_, i) => [
      declare(`a${i}`, [`b${i}`]),
      declare(`b${i}`, [`a${i}`]),
    ]).flat();
    const startCycles = analyzeComposition({ modules: pairs }).problems;
    expect(startCycles).toHaveLength(5_000);
    expect(startCycles.every((problem) => problem.code === 'KAS_START_CYCLE')).toBe(true);
    expect(startCycles[4_999]?.modules).toEqual(['a4999', 'b4999']);

    const rings = Array.from({ length: 3_000 }, (_, i) => [
      declare(`s${i}`),
      declare(`c${i}`, [`s${i}`]),
      declare(`p${i}`, [`c${i}`], { after: [`s${i}`] }),
    ]).flat();
    const filler = Array.from({ length: 1_000 }, (_, i) => declare(`f${i}`, i > 0 ? [`f${i - 1}`] : []));
    const stopCycles = analyzeComposition({ modules: [...rings, ...filler] }).problems;
    expect(stopCycles).toHaveLength(3_000);
    expect(stopCycles.every((problem) => problem.code === 'KAS_STOP_CYCLE')).toBe(true);

    const longRing = Array.from({ length: 10_000 }, (_, i) => declare(`m${i}`, [`m${(i + 1) % 10_000}`]));
    const [long, ...none] = analyzeComposition({ modules: longRing }).problems;
    expect(none).toEqual([]);
    expect(long?.modules).toHaveLength(10_000);
  });
});

describe('a cycle through 20,000 modules', () => {
  // createApp threw a GraphError whose message was the whole path: 866 KB, one log line of kas.
  it("throws a GraphError whose message is the path's first 2,000 characters and how many more; problems keep it whole", () => {
    const names = Array.from({ length: 20_000 }, (_, i) => `m${i}`);
    const modules = names.map((name, i) =>
      defineModule({
        name,
        startAfter: [names[(i + names.length - 1) % names.length] as string],
        create: () => ({ start: async () => {}, stop: async () => {} }),
      }),
    );
    let thrown: unknown;
    try {
      createApp({ modules });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(GraphError);
    const error = thrown as GraphError;
    expect(error.code).toBe('KAS_START_CYCLE');
    expect(error.message).toMatch(
      /^start cycle: m0 -> m19999 -> m19998 -> .* … \([\d,]+ more characters: the error's problems have the whole message\)$/,
    );
    expect(error.message.length).toBeLessThan(2_200);
    expect(error.problems[0].message.length).toBeGreaterThan(800_000);
  });
});
