import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp, resolvePlan } from '@kas/core';
// The built package, as a loaded module imports it: one copy of kas's tokens (KasActivityToken).
import { composeFromConfig, KasAppError } from '@kas/kas';
import { startProcess } from '@kas/testkit';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KAS_MAIN } from './support/startKasProcess.js';

const fixtures = fileURLToPath(new URL('./fixtures/modules/', import.meta.url));
let directory: string;

/** The required sections; the files they name are not read by a composition for linting. */
const BASE = `agentGrpc:
  listen: 127.0.0.1:0
  agentsFile: agents.yaml
kubeProxy:
  listen: 127.0.0.1:0
  plainHttp: true
  usersFile: users.yaml
privateApi:
  listen: 127.0.0.1:0
  sharedSecretFile: secret
`;

/** Writes a kas.yaml next to the fixture modules (so `../x.mjs` is a path relative to it) and composes it. */
async function compose(head: string, tail = '') {
  const file = join(directory, 'kas.yaml');
  await writeFile(file, `${head}${BASE}${tail}`);
  return composeFromConfig({ file, env: {} });
}

async function refusal(head: string, tail = ''): Promise<KasAppError> {
  const error = await compose(head, tail).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(KasAppError);
  return error as KasAppError;
}

beforeAll(async () => {
  directory = await mkdtemp(join(fixtures, '.kas-yaml-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('modules: in kas.yaml', () => {
  it('loads a factory with its validated section and a plain module, and stops both after every built-in', async () => {
    const kas = await compose('modules:\n  - ../recorder.mjs\n  - ../plain.mjs\nrecorder:\n  label: audit\n');
    expect(kas.composition.modules.map((module) => module.name)).toEqual([
      'observability',
      'agent-grpc-server',
      'tunnel-tracker',
      'kube-proxy',
      'private-api',
      'recorder',
      'plain-extra',
    ]);
    expect(kas.loaded).toEqual([
      {
        module: 'recorder',
        entry: '../recorder.mjs',
        at: expect.stringMatching(/kas\.yaml:2:5$/),
        configAt: expect.stringMatching(/kas\.yaml:5:3$/),
      },
      { module: 'plain-extra', entry: '../plain.mjs', at: expect.stringMatching(/kas\.yaml:3:5$/) },
    ]);
    const recorder = resolvePlan(kas.composition).stop.stages.find((stage) =>
      stage.members.includes('recorder'),
    );
    expect(recorder?.follows).toEqual(
      expect.arrayContaining(['agent-grpc-server+tunnel-tracker', 'private-api+kube-proxy']),
    );
  });

  it("reports a bad value in the module's section at its line, with the key path and what is expected", async () => {
    const error = await refusal('modules: [../recorder.mjs]\nrecorder:\n  label: audit\n  limit: many\n');
    expect(error.code).toBe('KAS_CONFIG_INVALID');
    expect(error.message).toMatch(/kas\.yaml:4:10: recorder\.limit: .*number/);
    const unknown = await refusal('modules: [../recorder.mjs]\nrecorder:\n  label: audit\n  labell: x\n');
    expect(unknown.message).toMatch(/kas\.yaml:4:11: recorder\.labell: unknown key/);
  });

  it.each([
    ['../missing.mjs', 'KAS_MODULE_NOT_FOUND', /modules\[0\] "\.\.\/missing\.mjs" cannot be loaded/],
    ["'@acme/not-installed'", 'KAS_MODULE_NOT_FOUND', /"@acme\/not-installed" cannot be loaded/],
    ['../no-default.mjs', 'KAS_MODULE_EXPORT_INVALID', /has no default export .* exports: somethingElse/],
    [
      '../no-key.mjs',
      'KAS_MODULE_EXPORT_INVALID',
      /exports a factory, but not a valid configKey \(a camelCase key of kas\.yaml; got none\)$/,
    ],
    [
      '../clash.mjs',
      'KAS_MODULE_NAME_TAKEN',
      /"kube-proxy" is added by modules entry "\.\.\/clash\.mjs", but that name is taken by a module of kas itself/,
    ],
    [
      '../relation.mjs',
      'KAS_MODULE_RELATION_UNKNOWN',
      /"typo" .* names "kube-prox" in stop\.after, which is not a module of this kas \(did you mean "kube-proxy"\?; modules: /,
    ],
  ])('refuses %s with one clear error (%s) at its entry', async (entry, code, message) => {
    const error = await refusal(`modules:\n  - ${entry}\n`);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(/kas\.yaml:2:5: /);
    expect(error.message).toMatch(message);
    expect(error.fix.length).toBeGreaterThan(10);
  });

  it('says what to do for each way an entry cannot be loaded: no such path, a package not built, an import that throws', async () => {
    const missing = await refusal('modules: [./nowhere]\n');
    expect(missing.message).toMatch(/nowhere does not exist$/);
    expect(missing.fix).toContain(`relative to the config file's directory (${directory})`);

    const unbuilt = join(directory, 'unbuilt');
    await mkdir(unbuilt, { recursive: true });
    await writeFile(
      join(unbuilt, 'package.json'),
      JSON.stringify({ name: 'unbuilt', type: 'module', exports: { '.': { import: './dist/index.js' } } }),
    );
    const notBuilt = await refusal('modules: [./unbuilt]\n');
    expect(notBuilt.message).toMatch(
      /the package in .*unbuilt is not built: its entry .*dist\/index\.js does not exist/,
    );
    expect(notBuilt.fix).toBe(`build the package (npm run build in ${unbuilt}), then start again`);

    await writeFile(join(directory, 'throws.mjs'), "throw new Error('the module broke while loading');\n");
    const threw = await refusal('modules: [./throws.mjs]\n');
    expect(threw.code).toBe('KAS_MODULE_IMPORT_FAILED');
    expect(threw.message).toMatch(
      /modules\[0\] "\.\/throws\.mjs" was found \(.*throws\.mjs\) but threw while being imported: the module broke while loading$/,
    );
    expect(threw.fix).toContain('node --input-type=module -e "await import(');
  });

  it('tells a module that throws at import (a declaration the core refuses) from one that is not there', async () => {
    const declaration = await refusal('modules:\n  - ../bad-declaration.mjs\n');
    expect(declaration.code).toBe('KAS_MODULE_IMPORT_FAILED');
    expect(declaration.message).toMatch(
      /kas\.yaml:2:5: modules\[0\] "\.\.\/bad-declaration\.mjs" was found .* but threw while being imported: KAS_INVALID_DECLARATION: module "bad-budget": drainBudget: "ten seconds" is not a duration$/,
    );
    expect(declaration.fix).toMatch(/^the module's own code failed at import/);
    expect(declaration.fix).not.toContain('install');
    expect(declaration.cause).toMatchObject({ code: 'KAS_INVALID_DECLARATION' });

    const dependency = await refusal('modules:\n  - ../missing-dependency.mjs\n');
    expect(dependency.code).toBe('KAS_MODULE_NOT_FOUND');
    expect(dependency.message).toMatch(
      /importing .*missing-dependency\.mjs failed: .*@acme\/not-installed-anywhere/,
    );
    expect(dependency.fix).toMatch(/^install the package's dependencies where it is/);
  });

  it('says to write ./ before a path that is written like a package name', async () => {
    await mkdir(join(directory, 'extra'), { recursive: true });
    await writeFile(join(directory, 'extra', 'stats.mjs'), "export { default } from '../../plain.mjs';\n");
    const error = await refusal('modules: [extra/stats.mjs]\n');
    expect(error.code).toBe('KAS_MODULE_NOT_FOUND');
    expect(error.fix).toMatch(
      /^write it as \.\/extra\/stats\.mjs: a path must start with \.\/ or \.\.\/ .* or \/$/,
    );
    expect(error.fix).not.toContain('npm install');
    const kas = await compose('modules: [./extra/stats.mjs]\n');
    expect(kas.loaded.map((source) => source.module)).toEqual(['plain-extra']);
  });

  it('refuses a module listed twice, naming both entries, before its name or config key is found taken', async () => {
    const twice = await refusal(
      'modules:\n  - ../recorder.mjs\n  - ../recorder.mjs\nrecorder:\n  label: x\n',
    );
    expect(twice.code).toBe('KAS_MODULE_LISTED_TWICE');
    expect(twice.message).toMatch(
      /kas\.yaml:3:5: modules\[1\] "\.\.\/recorder\.mjs" is listed twice: modules\[0\] at .*kas\.yaml:2:5 and modules\[1\] at .*kas\.yaml:3:5 load the same module$/,
    );
    expect(twice.fix).toMatch(/^remove one of the two entries/);

    const sameFile = await refusal(`modules:\n  - ../plain.mjs\n  - ${join(fixtures, 'plain.mjs')}\n`);
    expect(sameFile.code).toBe('KAS_MODULE_LISTED_TWICE');
    expect(sameFile.message).toContain(
      `("../plain.mjs" and "${join(fixtures, 'plain.mjs')}" both load ${join(fixtures, 'plain.mjs')})`,
    );
  });

  it("reports a factory that throws as the module's failure, at its entry and its section, with the thrown error as the cause", async () => {
    const error = await refusal('modules:\n  - ../throwing-factory.mjs\nthrower:\n  label: y\n');
    expect(error.code).toBe('KAS_MODULE_FACTORY_FAILED');
    expect(error.message).toMatch(
      /kas\.yaml:2:5: modules\[0\] "\.\.\/throwing-factory\.mjs": its factory threw while creating its modules from its config section "thrower" \(.*kas\.yaml:4:3\): boom in factory$/,
    );
    expect(error.fix).toMatch(
      /^the module's factory threw while being created from its config section: check "thrower:"/,
    );
    expect(error.fix).toContain("report the error to the module's author");
    expect(error.cause).toBeInstanceOf(Error);
    expect((error.cause as Error).message).toBe('boom in factory');
  });

  it("takes a missing section as {} when the module's schema accepts it, and keeps a section with a required key required", async () => {
    const kas = await compose('modules: [../defaults-only.mjs]\n');
    expect(kas.loaded.map((source) => source.module)).toEqual(['defaults-only-0', 'defaults-only-1']);
    expect(kas.config).toMatchObject({ defaultsOnly: { copies: 2 } });

    const required = await refusal('modules: [../recorder.mjs]\n');
    expect(required.code).toBe('KAS_CONFIG_INVALID');
    expect(required.message).toMatch(/recorder: missing: expected a section/);
  });

  it("takes its list from KAS_MODULES, a YAML list in the environment, which replaces the file's", async () => {
    const file = join(directory, 'kas.yaml');
    await writeFile(file, `modules: [../recorder.mjs]\n${BASE}`);
    const kas = await composeFromConfig({ file, env: { KAS_MODULES: '["../plain.mjs"]' } });
    expect(kas.loaded).toEqual([
      { module: 'plain-extra', entry: '../plain.mjs', at: 'environment KAS_MODULES' },
    ]);
  });

  it('refuses a config key that kas already has', async () => {
    const clash = join(directory, 'keyClash.mjs');
    await writeFile(
      clash,
      "import { configSchema } from '../recorder.mjs';\nexport { configSchema };\nexport const configKey = 'kubeProxy';\nexport default () => [];\n",
    );
    const error = await refusal('modules: [./keyClash.mjs]\n');
    expect(error.code).toBe('KAS_MODULE_NAME_TAKEN');
    expect(error.message).toContain('wants the config key "kubeProxy", which is a built-in section');
  });

  it('makes a composition for linting that refuses to start, so it never binds a port', async () => {
    const kas = await compose('modules: [../plain.mjs]\n');
    const app = createApp({ ...kas.composition, logger: pino({ level: 'silent' }) });
    const failed = await app.start().then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(failed).toMatchObject({ code: 'KAS_START_FAILED' });
    expect(JSON.stringify(failed, Object.getOwnPropertyNames(failed)) + String(failed?.cause)).toContain(
      'KAS_LINT_ONLY',
    );
  });

  it('kas --config exits 2 with the error, before anything starts', async () => {
    const file = join(directory, 'bad.yaml');
    await writeFile(file, `modules:\n  - ../no-default.mjs\n${BASE}`);
    const kas = startProcess('node', [KAS_MAIN, '--config', file, '--log-format', 'json']);
    const exit = await kas.exited;
    expect(exit.code).toBe(2);
    const output = kas.lines.map((line) => line.text).join('\n');
    expect(output).toContain('KAS_MODULE_EXPORT_INVALID');
    expect(output).not.toContain('app.starting');
  });
});
