import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp, type LifecycleEvent } from '@kas/core';
import { lintComposition } from '@kas/graph';
// The built package, as a loaded module imports it: one copy of kas's tokens.
import { type ComposeOptions, composeFromConfig, KasAppError } from '@kas/kas';
import { type RunningProcess, startProcess } from '@kas/testkit';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { prepareDevFiles } from '../src/dev/prepareDevFiles.js';
import { KAS_MAIN } from './support/startKasProcess.js';

const fixtures = fileURLToPath(new URL('./fixtures/modules/', import.meta.url));
let directory: string;

/** The required sections, after the lines a test writes (so its line numbers are the file's). */
const BASE = `agentGrpc:
  agentsFile: agents.yaml
kubeProxy:
  plainHttp: true
  usersFile: users.yaml
privateApi:
  sharedSecretFile: secret
`;

/** The modules of a kas with `plain.mjs` loaded, as the errors list them. */
const MODULES = 'observability, agent-grpc-server, tunnel-tracker, kube-proxy, private-api, plain-extra';

/** Writes a kas.yaml next to the fixture modules (`../plain.mjs` is relative to it) and composes it. */
async function compose(
  head: string,
  options: ComposeOptions = {},
  env: Readonly<Record<string, string>> = {},
) {
  const file = join(directory, 'kas.yaml');
  await writeFile(file, `${head}${BASE}`);
  return composeFromConfig({ file, env }, options);
}

async function refusal(
  head: string,
  options: ComposeOptions = {},
  env: Readonly<Record<string, string>> = {},
): Promise<KasAppError> {
  const error = await compose(head, options, env).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(KasAppError);
  return error as KasAppError;
}

/** The plan `createApp` resolves from a composed kas: what kas would run. */
const planOf = async (composed: ReturnType<typeof compose>) =>
  createApp({ ...(await composed).composition, logger: pino({ level: 'silent' }) }).plan();

beforeAll(async () => {
  directory = await mkdtemp(join(fixtures, '.overrides-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('overrides: in kas.yaml', () => {
  it("replaces a loaded module's budgets and its whole stop declaration in the plan kas runs", async () => {
    const plan = await planOf(
      compose(`modules: [../plain.mjs]
overrides:
  plain-extra:
    drainBudget: 2m
    startBudget: 45s
    stop: { after: [kube-proxy, private-api] }
`),
    );
    expect(plan.modules.find((module) => module.name === 'plain-extra')).toMatchObject({
      drainBudgetMs: 120_000,
      startBudgetMs: 45_000,
      stop: { after: ['kube-proxy', 'private-api'] },
      isOverridden: true,
    });
    // Its own `stop: { last: true }` is replaced, not merged: it waits for the user traffic only.
    expect(plan.stop.stages.find((stage) => stage.members.includes('plain-extra'))).toMatchObject({
      id: 'plain-extra',
      follows: ['private-api+kube-proxy'],
      drainBudgetMs: 120_000,
    });
  });

  it("changes kas's own modules too, and keeps what an entry does not name", async () => {
    const plan = await planOf(
      compose(`overrides:
  observability: { drainBudget: 20s }
  kube-proxy: { startBudget: 2m }
`),
    );
    const byName = new Map(plan.modules.map((module) => [module.name, module]));
    expect(byName.get('observability')).toMatchObject({ drainBudgetMs: 20_000, stop: { last: true } });
    expect(byName.get('kube-proxy')).toMatchObject({
      startBudgetMs: 120_000,
      drainBudgetMs: 3_600_000,
      stop: { alongside: ['agent-grpc-server', 'tunnel-tracker'] },
    });
    expect(plan.stop.stages.find((stage) => stage.id === 'observability')?.drainBudgetMs).toBe(20_000);
  });

  it('makes an unsafe graph when told to, and the linter reports it as any other graph problem', async () => {
    const kas = await compose('overrides:\n  tunnel-tracker:\n    stop: {} # the default order\n');
    const findings = lintComposition(kas.composition).findings;
    expect(findings.find((finding) => finding.code === 'KAS_ADVERTISE_ACCEPT_SPLIT')?.modules).toEqual([
      'tunnel-tracker',
      'agent-grpc-server',
    ]);
  });

  // The problems said `"tunnel-tracker" declares after: ["kube-proxy"]`, and an operator looked for that
  // in the module's code: it was a line of their kas.yaml.
  it("names the entry and its line in the problems its stop causes, not the module's declaration", async () => {
    const kas = await compose(
      'overrides:\n  tunnel-tracker:\n    stop: { with: [agent-grpc-server], after: [kube-proxy] }\n',
    );
    const setBy =
      /"tunnel-tracker" \(its stop set by overrides\.tunnel-tracker\.stop \(\S*kas\.yaml:3:11\)\) declares after: \["kube-proxy"\]/;
    expect(() => createApp({ ...kas.composition, logger: pino({ level: 'silent' }) })).toThrow(setBy);
    const findings = lintComposition(kas.composition).findings;
    expect(findings.find((finding) => finding.code === 'KAS_ACCEPTOR_BEHIND_DRAIN')?.fix).toMatch(
      /^drop "kube-proxy" from the stop\.after of "tunnel-tracker" \(set by overrides\.tunnel-tracker\.stop \(\S*kas\.yaml:3:11\)\)$/,
    );
    const legacy = await compose('', { stopOrder: 'legacy' });
    expect(legacy.composition.overrides?.['agent-grpc-server']?.origin).toBe('--legacy-stop-order');
  });

  it('reads KAS_OVERRIDES as a YAML mapping, as any key from the environment', async () => {
    const plan = await planOf(
      compose('modules: [../plain.mjs]\n', {}, { KAS_OVERRIDES: '{plain-extra: {drainBudget: 3m}}' }),
    );
    expect(plan.modules.find((module) => module.name === 'plain-extra')?.drainBudgetMs).toBe(180_000);
  });

  it('applies an entry together with --legacy-stop-order, and refuses at its line a stop that order sets too', async () => {
    const legacy = await compose('overrides:\n  kube-proxy: { startBudget: 2m }\n', { stopOrder: 'legacy' });
    expect(legacy.composition.overrides?.['kube-proxy']).toEqual({
      stop: {},
      origin: '--legacy-stop-order',
      startBudget: 120_000,
    });
    expect(legacy.composition.overrides?.['agent-grpc-server']).toEqual({
      stop: { after: ['kube-proxy', 'tunnel-tracker'] },
      origin: '--legacy-stop-order',
    });

    const error = await refusal(
      'overrides:\n  kube-proxy:\n    startBudget: 2m\n    stop: { alongside: [agent-grpc-server] }\n',
      { stopOrder: 'legacy' },
    );
    expect(error.code).toBe('KAS_OVERRIDE_CONFLICT');
    expect(error.message).toMatch(
      /kas\.yaml:4:11: overrides\.kube-proxy\.stop: --legacy-stop-order sets the stop of "kube-proxy" too \(stop: \{\}\): one of the two would be dropped$/,
    );
    expect(error.fix).toContain('remove from overrides: what that order sets, or run without the flag');
    // Without the flag the same entry is what kas runs.
    const current = await compose(
      'overrides:\n  kube-proxy:\n    startBudget: 2m\n    stop: { alongside: [agent-grpc-server] }\n',
    );
    expect(current.composition.overrides).toEqual({
      'kube-proxy': {
        startBudget: 120_000,
        stop: { alongside: ['agent-grpc-server'] },
        origin: expect.stringMatching(/^overrides\.kube-proxy\.stop \(\S*kas\.yaml:4:11\)$/),
      },
    });
  });
});

describe('a bad overrides: entry is refused before anything starts, at its line, saying what to do', () => {
  it('an unknown module name, listing the modules there are', async () => {
    const error = await refusal(
      'modules: [../plain.mjs]\noverrides:\n  plain-extar:\n    drainBudget: 2m\n  audit-sink: { stop: { last: true } }\n',
    );
    expect(error.code).toBe('KAS_OVERRIDE_MODULE_UNKNOWN');
    expect(error.message).toContain(
      `overrides: names modules this kas does not have (its modules: ${MODULES}):`,
    );
    expect(error.message).toMatch(
      /kas\.yaml:3:3: overrides\.plain-extar: "plain-extar" is not a module of this kas \(did you mean "plain-extra"\?\)\n/,
    );
    expect(error.message).toMatch(
      /kas\.yaml:5:3: overrides\.audit-sink: "audit-sink" is not a module of this kas$/,
    );
    expect(error.fix).toContain('name one of the modules listed');
    expect(error.fix).toContain('or load the module under modules:');
  });

  it("redis-connection without a redis: section, saying it is kas's own and what to write to have it", async () => {
    const error = await refusal('overrides:\n  redis-connection: { drainBudget: 2s }\n');
    expect(error.code).toBe('KAS_OVERRIDE_MODULE_UNKNOWN');
    expect(error.message).toMatch(
      /kas\.yaml:2:3: overrides\.redis-connection: "redis-connection" is not a module of this kas: it is kas's own module for the shared tunnel directory, composed only when kas\.yaml has a redis: section$/,
    );
    expect(error.fix).toMatch(
      /^for "redis-connection", add a redis: section to kas\.yaml \(url:, sentinel: or cluster:, as in kas\.example\.yaml\); /,
    );
  });

  it('a stop relation naming a module that does not exist', async () => {
    const error = await refusal(
      'modules: [../plain.mjs]\noverrides:\n  plain-extra:\n    stop: { after: [private-api, kube-prox] }\n',
    );
    expect(error.code).toBe('KAS_OVERRIDE_MODULE_UNKNOWN');
    expect(error.message).toMatch(
      /kas\.yaml:4:34: overrides\.plain-extra\.stop\.after\[1\]: "kube-prox" is not a module of this kas \(did you mean "kube-proxy"\?\)$/,
    );
    expect(error.message).toContain(`(its modules: ${MODULES})`);
  });

  it('an unknown key in an entry or in its stop, naming the keys there are', async () => {
    const error = await refusal(
      'overrides:\n  kube-proxy:\n    drainBugdet: 2h\n    stop: { befor: [agent-grpc-server] }\n',
    );
    expect(error.code).toBe('KAS_CONFIG_INVALID');
    expect(error.message).toContain(
      'kas.yaml:3:5: overrides.kube-proxy.drainBugdet: unknown key (known here: drainBudget, startBudget, stop), did you mean "drainBudget"?',
    );
    expect(error.message).toContain(
      'kas.yaml:4:13: overrides.kube-proxy.stop.befor: unknown key (known here: with, alongside, after, last)',
    );
  });

  it('a bad duration, with the value given and what a duration is', async () => {
    const error = await refusal(
      'modules: [../plain.mjs]\noverrides:\n  plain-extra:\n    drainBudget: 2 minutes please\n    startBudget: -1\n',
    );
    expect(error.code).toBe('KAS_CONFIG_INVALID');
    expect(error.message).toContain(
      `kas.yaml:4:18: overrides.plain-extra.drainBudget: expected a duration: milliseconds, or a string such as '500ms', '10s', '75m' or '1h' (got "2 minutes please")`,
    );
    expect(error.message).toContain('kas.yaml:5:18: overrides.plain-extra.startBudget: expected a duration');
    expect(error.fix).toContain('correct each value listed');
  });

  it('a stop relation that is not a list of names, or a last that is not a boolean', async () => {
    const error = await refusal('overrides:\n  kube-proxy:\n    stop: { with: private-api, last: yes }\n');
    expect(error.code).toBe('KAS_CONFIG_INVALID');
    expect(error.message).toContain(
      'kas.yaml:3:19: overrides.kube-proxy.stop.with: expected a list (got "private-api")',
    );
    expect(error.message).toContain('overrides.kube-proxy.stop.last: expected true or false (got "yes")');
  });

  it("the drain budget of a built-in module, which its section's key sets", async () => {
    const error = await refusal('overrides:\n  kube-proxy:\n    drainBudget: 2h\n');
    expect(error.code).toBe('KAS_OVERRIDE_CONFLICT');
    expect(error.message).toMatch(
      /kas\.yaml:3:18: overrides\.kube-proxy\.drainBudget: the drain budget of "kube-proxy" has a key of its own: set kubeProxy\.drainBudget instead/,
    );
    expect(error.fix).toBe(
      'set each drain budget listed with its own kas.yaml key instead, and remove it from overrides:',
    );
  });

  it('a KAS_OVERRIDES__<MODULE> variable, which cannot spell the module name', async () => {
    const error = await refusal(
      'modules: [../plain.mjs]\n',
      {},
      {
        KAS_OVERRIDES__PLAIN_EXTRA__DRAIN_BUDGET: '2m',
      },
    );
    expect(error.code).toBe('KAS_OVERRIDE_MODULE_UNKNOWN');
    expect(error.message).toContain(
      'environment KAS_OVERRIDES__PLAIN_EXTRA__DRAIN_BUDGET: overrides.plainExtra: "plainExtra" is not a module of this kas (did you mean "plain-extra"?)',
    );
    expect(error.fix).toContain(
      "set KAS_OVERRIDES to a YAML mapping instead (KAS_OVERRIDES='{audit-sink: {drainBudget: 2m}}')",
    );
  });
});

describe('kas --config with overrides:', () => {
  let kas: RunningProcess | undefined;
  let runDirectory: string | undefined;
  afterEach(async () => {
    await kas?.stop();
    kas = undefined;
    if (runDirectory !== undefined) await rm(runDirectory, { recursive: true, force: true });
    runDirectory = undefined;
  });

  /** A dev setup's files (every listener on 127.0.0.1 port 0) and its kas.yaml with `tail` added. */
  const configWith = async (tail: string) => {
    runDirectory = await mkdtemp(join(fixtures, '.overrides-run-'));
    const dev = await prepareDevFiles(join(runDirectory, 'dev'));
    const file = join(runDirectory, 'kas.yaml');
    await writeFile(file, `${await readFile(dev.configPath, 'utf8')}${tail}`);
    return file;
  };

  it('runs the overridden plan: the budgets in its log and in every lifecycle event of the trace', async () => {
    const config = await configWith(`modules: [../plain.mjs]
overrides:
  plain-extra: { drainBudget: 2m, stop: { after: [kube-proxy, private-api] } }
  observability: { drainBudget: 7s }
`);
    const traceFile = join(runDirectory as string, 'trace.jsonl');
    kas = startProcess(process.execPath, [KAS_MAIN, '--config', config, '--trace-file', traceFile]);
    const said = await kas.waitForLog({ event: 'config.overrides' });
    expect(said.msg).toBe(
      'overrides: plain-extra (drainBudget 2m, stop {"after":["kube-proxy","private-api"]}), observability (drainBudget 7s)',
    );
    await kas.waitForLog({ event: 'app.started' });
    expect(await kas.stop()).toEqual({ code: 0, signal: null });

    const trace = (await readFile(traceFile, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as LifecycleEvent);
    const starting = trace.find((event) => event.type === 'app.starting');
    expect(
      starting?.type === 'app.starting' &&
        starting.plan.modules.find((module) => module.name === 'plain-extra'),
    ).toMatchObject({ drainBudgetMs: 120_000 });
    const stopping = (module: string) =>
      trace.find((event) => event.type === 'module.stopping' && event.module === module);
    expect(stopping('plain-extra')).toMatchObject({ stage: 'plain-extra', drainBudgetMs: 120_000 });
    expect(stopping('observability')).toMatchObject({ drainBudgetMs: 7_000 });
    // It began its stop once the user traffic had drained, not at SIGTERM as its own declaration would not.
    const userTrafficDone = trace.findIndex(
      (event) => event.type === 'stage.complete' && event.stage === 'private-api+kube-proxy',
    );
    const began = trace.findIndex((event) => event.type === 'stage.begin' && event.stage === 'plain-extra');
    expect(userTrafficDone).toBeGreaterThan(-1);
    expect(began).toBeGreaterThan(userTrafficDone);
  });

  it('exits 2 with one line naming the bad entry, before anything starts', async () => {
    const config = await configWith('overrides:\n  kube-proxi: { startBudget: 1m }\n');
    kas = startProcess(process.execPath, [KAS_MAIN, '--config', config, '--log-format', 'json']);
    expect(await kas.exited).toEqual({ code: 2, signal: null });
    const refused = kas.logs().find((log) => log.event === 'kas.notStarted');
    expect(refused).toMatchObject({ code: 'KAS_OVERRIDE_MODULE_UNKNOWN' });
    expect(String(refused?.msg)).toMatch(/overrides\.kube-proxi: "kube-proxi" is not a module of this kas/);
    expect(kas.logs().some((log) => log.event === 'app.starting')).toBe(false);
  });

  it('names every problem of a graph its overrides break on the one line (it gave only the first one whole)', async () => {
    const config = await configWith(
      'overrides:\n  kube-proxy: { stop: { after: [agent-grpc-server] } }\n  tunnel-tracker: { stop: { after: [observability] } }\n',
    );
    kas = startProcess(process.execPath, [KAS_MAIN, '--config', config, '--log-format', 'json']);
    expect(await kas.exited).toEqual({ code: 2, signal: null });
    const refused = kas.logs().find((log) => log.event === 'kas.notStarted');
    expect(refused).toMatchObject({ code: 'KAS_STOP_CONTRADICTION' });
    expect(String(refused?.msg)).toMatch(/\(and 1 more problem: KAS_STOP_CYCLE\)$/);
    expect(refused?.moreProblems).toEqual([
      {
        code: 'KAS_STOP_CYCLE',
        message: expect.stringMatching(
          /^stop cycle: .*the stop of "tunnel-tracker" is set by overrides\.tunnel-tracker\.stop/,
        ),
        fix: expect.stringContaining('remove one "after" on this path'),
      },
    ]);
  });
});
