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
    expect(unknown.message).toMatch(
      /kas\.yaml:4:3: recorder\.labell: unknown key \(known here: label, limit\), did you mean "label"\?$/,
    );
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

  it('checks a module written as a plain object as defineModule would, at its entry (was: "names "k" in startAfter", or no entry named)', async () => {
    const plain = await refusal('modules:\n  - ../plain-object.mjs\n');
    expect(plain.code).toBe('KAS_MODULE_EXPORT_INVALID');
    expect(plain.message).toMatch(
      /kas\.yaml:2:5: modules\[0\] "\.\.\/plain-object\.mjs": its default export is not a valid module declaration: KAS_INVALID_DECLARATION: module "plain-object": startAfter must be an array of non-empty strings$/,
    );
    expect(plain.fix).toBe(
      "write startAfter: ['kube-proxy']; declare modules with defineModule({...}) of @kas/core, which checks a declaration where it is written",
    );

    const made = await refusal('modules:\n  - ../plain-object-factory.mjs\n');
    expect(made.code).toBe('KAS_MODULE_EXPORT_INVALID');
    expect(made.message).toMatch(
      /kas\.yaml:2:5: modules\[0\] "\.\.\/plain-object-factory\.mjs": its factory returned a module that is not a valid module declaration: KAS_INVALID_DECLARATION: module "plain-object-factory": drainBudget: "soon" is not a duration$/,
    );
  });

  it('names at most ten exports of a package that is not a module, such as a library listed by mistake (was: every key of zod, thousands of characters)', async () => {
    const library = await refusal('modules: [zod]\n');
    expect(library.code).toBe('KAS_MODULE_EXPORT_INVALID');
    expect(library.message).toMatch(
      /its default export is an object with keys (?:[^,;]+, ){9}[^,;]+ and \d+ more; its exports: (?:[^,;]+, ){9}[^,;]+ and \d+ more\)$/,
    );
    expect(library.message.length).toBeLessThan(600);
  });

  it("says that redis-connection is kas's own, there with a redis: section, to a module that needs its client or starts after it", async () => {
    const needs = await compose('modules: [../needs-redis.mjs]\n').then(
      () => undefined,
      (caught: unknown) => caught as { code?: string; message: string; fix: string },
    );
    expect(needs).toMatchObject({ code: 'KAS_TOKEN_NOT_PROVIDED' });
    expect(needs?.message).toMatch(
      /kas\.yaml:1:11: the module "redis-stats" \(modules entry "\.\.\/needs-redis\.mjs"\) needs, as needs\.redis, a token only "redis-connection" provides, and this kas has no "redis-connection"$/,
    );
    expect(needs?.fix).toBe(
      '"redis-connection" is kas\'s own module for the shared tunnel directory, composed only when kas.yaml has a redis: section: add a redis: section to kas.yaml (url:, sentinel: or cluster:, as in kas.example.yaml)',
    );

    const after = await refusal('modules: [../after-redis.mjs]\n');
    expect(after.code).toBe('KAS_MODULE_RELATION_UNKNOWN');
    expect(after.message).toMatch(
      /names "redis-connection" in startAfter, which is not a module of this kas/,
    );
    expect(after.fix).toMatch(
      /^"redis-connection" is kas's own module .*, composed only when kas\.yaml has a redis: section: add a redis: section to kas\.yaml/,
    );
    expect(after.fix).not.toContain('add its package to modules:');

    const withRedis = await compose(
      'modules: [../needs-redis.mjs, ../after-redis.mjs]\nredis:\n  url: redis://redis:6379\n',
    );
    expect(withRedis.loaded.map((source) => source.module)).toEqual(['redis-stats', 'after-redis']);
  });

  it('reports an unknown top-level key at the key, not at its value, with the closest known key', async () => {
    const error = await refusal(
      'modules: [../recorder.mjs]\nrecorder:\n  label: x\nrecordr:\n  label: y\nfoo: 1\n',
    );
    expect(error.code).toBe('KAS_CONFIG_INVALID');
    expect(error.message).toMatch(
      /kas\.yaml:4:1: recordr: unknown key \(known here: .*\), did you mean "recorder"\?\n/,
    );
    expect(error.message).toMatch(
      /kas\.yaml:6:1: foo: unknown key \(known here: [^)]*\); a module's section is known only when the module's package is listed under modules:$/m,
    );
  });

  it('says a modules: that is not a list should be one, with the entry written as a list', async () => {
    const error = await refusal('modules: "@acme/kas-healthz"\n');
    expect(error.code).toBe('KAS_CONFIG_INVALID');
    expect(error.message).toMatch(
      /kas\.yaml:1:10: modules: expected a YAML list of module entries, each a package name or a path \(got "@acme\/kas-healthz"\): write modules: \["@acme\/kas-healthz"\], or one line per entry below modules:, such as - "@acme\/kas-healthz"$/,
    );
    expect(error.message).not.toContain('Invalid input');
    const empty = await refusal("modules: ['']\n");
    expect(empty.message).toMatch(/kas\.yaml:1:11: modules\[0\]: give a package name or a path$/);
  });

  it('says kas loads JavaScript for an entry that is TypeScript source, and names its build instead (was: "its top level ran and threw")', async () => {
    await mkdir(join(directory, 'src'), { recursive: true });
    await writeFile(join(directory, 'src', 'index.ts'), 'export default {};\n');
    const file = join(directory, 'typescript.yaml');
    await writeFile(file, `modules: [./src/index.ts]\n${BASE}`);
    // kas itself, not this test's runner, which imports TypeScript
    const kas = startProcess('node', [KAS_MAIN, '--config', file, '--log-format', 'json']);
    expect((await kas.exited).code).toBe(2);
    const refused = kas.lines
      .map((line) => JSON.parse(line.text) as { event?: string; code?: string; msg?: string; fix?: string })
      .find((line) => line.event === 'kas.notStarted');
    expect(refused?.code).toBe('KAS_MODULE_NOT_FOUND');
    expect(refused?.msg).toMatch(
      /typescript\.yaml:1:11: modules\[0\] "\.\/src\/index\.ts" cannot be loaded: .*src\/index\.ts is TypeScript source, and kas loads JavaScript \(\.js, \.mjs or \.cjs\)$/,
    );
    expect(refused?.fix).toBe(
      "build the module (npm run build in its package), then name its built file under modules: (e.g. ./dist/index.js, where its tsconfig's outDir puts it), or its package folder (whose package.json names the built entry)",
    );
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
