import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const fixtures = fileURLToPath(new URL('./fixtures/modules/', import.meta.url));
const kasGraph = fileURLToPath(new URL('../../../packages/graph/bin/kas-graph.js', import.meta.url));
let directory: string;

const BASE = `agentGrpc:
  agentsFile: /nonexistent/agents.yaml # never read: linting reads no file the config names
kubeProxy:
  plainHttp: true
  usersFile: /nonexistent/users.yaml
privateApi:
  sharedSecretFile: /nonexistent/secret
`;

async function writeConfig(name: string, head: string): Promise<string> {
  const file = join(directory, name);
  await writeFile(file, `${head}${BASE}`);
  return file;
}

function run(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [kasGraph, ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({
        code: error === null ? 0 : typeof error.code === 'number' ? error.code : null,
        stdout,
        stderr,
      });
    });
  });
}

beforeAll(async () => {
  directory = await mkdtemp(join(fixtures, '.lint-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('kas-graph --config kas.yaml: what kas --config runs, loaded modules included', () => {
  it('lints, plans and draws the composition of a kas.yaml with a loaded module', async () => {
    const file = await writeConfig('good.yaml', 'modules: [../recorder.mjs]\nrecorder:\n  label: audit\n');
    const lint = await run(['lint', '--config', file]);
    expect(lint).toMatchObject({ code: 0, stderr: '' });
    expect(lint.stdout).toMatch(/--config .*good\.yaml: no findings/);
    const plan = await run(['plan', '--config', file]);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('recorder');
    // observability declares stop: { last: true }: the plan says why it waits for the others.
    expect(plan.stdout).toMatch(
      / {4}observability {2}drain \S+; stops after (?:.*\n {8})*.*kube-proxy \(declared last\)/,
    );
    const draw = await run(['draw', '--config', file, '--format', 'mermaid']);
    expect(draw.stdout).toContain('["recorder"]');
  });

  it('loads a module package TypeScript compiled to CommonJS, whose exports Node gives as the default export, marked __esModule (was: "no default export")', async () => {
    // A real process: vitest's own loader unwraps __esModule where Node's import() does not.
    const file = await writeConfig(
      'commonjs.yaml',
      'modules: [../compiled-commonjs.cjs]\ncompiledCommonjs: { label: ts }\n',
    );
    const plan = await run(['plan', '--config', file]);
    expect(plan).toMatchObject({ code: 0, stderr: '' });
    expect(plan.stdout).toContain('compiled-commonjs-ts');
  });

  it('exits 1 naming the module and the rule when a loaded observer keeps the default stop', async () => {
    const file = await writeConfig('early.yaml', 'modules: [../outlives.mjs]\n');
    const lint = await run(['lint', '--config', file]);
    expect(lint.code).toBe(1);
    expect(lint.stdout).toContain(
      'error KAS_OBSERVER_STOPS_EARLY [early-recorder, agent-grpc-server] "early-recorder" observes agent-tunnels but may stop before "agent-grpc-server"',
    );
  });

  it("says that the findings naming only kas's modules come with a loaded module when kas alone has none of them (was: 7 of 8 errors named kube-proxy and private-api, with fixes for their declarations)", async () => {
    const file = await writeConfig('drags.yaml', 'modules: [../drags-agent-edge.mjs]\n');
    const lint = await run(['lint', '--config', file]);
    expect(lint.code).toBe(1);
    const errors = lint.stdout.split('\n').filter((line) => line.startsWith('error '));
    expect(errors.length).toBeGreaterThan(1);
    const loadedOnes = errors.filter((line) => line.includes('[audit'));
    const ownOnly = errors.filter((line) => !line.includes('audit,') && !line.includes('[audit'));
    expect(loadedOnes.length).toBeGreaterThan(0);
    expect(ownOnly.length).toBeGreaterThan(0);
    for (const line of ownOnly) {
      expect(line).toContain(
        '(only with the modules kas.yaml loads, "audit": their relations are what to change first)',
      );
    }
    for (const line of loadedOnes) expect(line).not.toContain('only with the modules kas.yaml loads');
    // kas's own modules alone lint clean: no finding is marked without a loaded module.
    const plain = await run(['lint', '--config', await writeConfig('own.yaml', '')]);
    expect(plain).toMatchObject({ code: 0 });
  });

  it('runs the rules a loaded module ships as kasGraphRules, named after its modules: entry, with no kas-graph.config.json', async () => {
    const file = await writeConfig('ruled.yaml', 'modules: [../ruled.mjs]\n');
    const lint = await run(['lint', '--config', file]);
    expect(lint.code).toBe(1);
    expect(lint.stdout).toContain('error RULED_NEEDS_A_PEER [ruled] "ruled" is loaded without "ruled-peer"');
    const json = JSON.parse((await run(['lint', '--config', file, '--format', 'json'])).stdout);
    expect(json.rules).toContainEqual(
      expect.objectContaining({
        code: 'RULED_NEEDS_A_PEER',
        source: '../ruled.mjs (modules: in ruled.yaml)',
      }),
    );
    expect((await run(['lint', '--config', file, '--rule', 'RULED_NEEDS_A_PEER=off'])).code).toBe(0);
    // explain reads the same kas.yaml (it read --config as a kas-graph.config.json: "cannot be read as JSON").
    const explain = await run(['explain', 'RULED_NEEDS_A_PEER', '--config', file]);
    expect(explain.stderr).toBe('');
    expect(explain.code).toBe(0);
    expect(explain.stdout).toMatch(
      /^RULED_NEEDS_A_PEER: .*from .*\.\.\/ruled\.mjs \(modules: in ruled\.yaml\)/,
    );
    const unknown = await run(['explain', 'RULED_NEEDS_A_PEER']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('kas-graph explain <CODE> --config kas.yaml');
  });

  it('runs such a rule once when the kas-graph.config.json next to kas.yaml lists the module as a plugin too', async () => {
    const both = join(directory, 'both');
    await mkdir(both);
    await writeFile(join(both, 'kas-graph.config.json'), JSON.stringify({ plugins: ['../../ruled.mjs'] }));
    const file = join(both, 'kas.yaml');
    await writeFile(file, `modules: [../../ruled.mjs]\n${BASE}`);
    const lint = await run(['lint', '--config', file]);
    expect(lint.stderr).toBe('');
    expect(lint.code).toBe(1);
    expect(lint.stdout.match(/error RULED_NEEDS_A_PEER/g)).toHaveLength(1);
  });

  it("exits 2 with kas's own error for a module kas could not load", async () => {
    const file = await writeConfig('missing.yaml', 'modules: [../missing.mjs]\n');
    const lint = await run(['lint', '--config', file]);
    expect(lint.code).toBe(2);
    expect(lint.stderr).toContain('KAS_GRAPH_KAS_CONFIG_INVALID');
    expect(lint.stderr).toContain('KAS_MODULE_NOT_FOUND');
  });

  it('lints examples/audit-sink/kas.yaml (the example module, loaded from its package) clean', async () => {
    const example = fileURLToPath(new URL('../../../examples/audit-sink/kas.yaml', import.meta.url));
    const lint = await run(['lint', '--config', example]);
    expect(lint.stdout).toContain('no findings');
    expect(lint.code).toBe(0);
  });

  it('keeps kas-graph lint apps/kas and apps/kas#legacy working', async () => {
    const app = fileURLToPath(new URL('..', import.meta.url));
    expect((await run(['lint', app])).code).toBe(0);
    expect((await run(['lint', `${app}#legacy`])).code).toBe(1);
  });
});

describe('kas-graph --config kas.yaml with overrides: the graph kas runs, overrides applied', () => {
  it("plans and lints a loaded module's overridden budget and stop", async () => {
    const file = await writeConfig(
      'overridden.yaml',
      'modules: [../plain.mjs]\noverrides:\n  plain-extra: { drainBudget: 2m, stop: { after: [kube-proxy, private-api] } }\n',
    );
    const plan = await run(['plan', '--config', file]);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('  stage plain-extra  begins by 1h, completes by 1h 2m (drain budget 2m)');
    expect(plan.stdout).toContain(
      '    plain-extra  drain 2m; stops after kube-proxy (declared after), private-api (declared after)',
    );
    const lint = await run(['lint', '--config', file]);
    expect(lint).toMatchObject({ code: 0, stderr: '' });
    expect(lint.stdout).toMatch(/--config .*overridden\.yaml: no findings/);
  });

  it('exits 1 with the rule an override breaks: the tracker moved out of the agent edge', async () => {
    const file = await writeConfig('split.yaml', 'overrides:\n  tunnel-tracker: { stop: {} }\n');
    const lint = await run(['lint', '--config', file]);
    expect(lint.code).toBe(1);
    expect(lint.stdout).toContain(
      'error KAS_ADVERTISE_ACCEPT_SPLIT [tunnel-tracker, agent-grpc-server] "tunnel-tracker" advertises agent-tunnels and "agent-grpc-server" accepts them, but they stop in different stages',
    );
  });

  it("exits 2 with kas's own error for an override kas would refuse, at its line", async () => {
    const file = await writeConfig('unknown.yaml', 'overrides:\n  kube-proxi: { startBudget: 1m }\n');
    const lint = await run(['lint', '--config', file]);
    expect(lint.code).toBe(2);
    expect(lint.stderr).toContain('KAS_GRAPH_KAS_CONFIG_INVALID');
    expect(lint.stderr).toMatch(
      /KAS_OVERRIDE_MODULE_UNKNOWN: .*\n {2}.*unknown\.yaml:2:3: overrides\.kube-proxi: "kube-proxi" is not a module of this kas/,
    );
  });
});
