import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { duration, parseConfig } from '@kas/config';
import { CoreError, defineModule } from '@kas/core';
import { createDevCertificates } from '@kas/dev-certificates';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BUILT_IN_SECTIONS } from '../src/config/builtInSections.js';
import { createKasModules } from '../src/config/createKasModules.js';
import { diskFiles } from '../src/config/KasFiles.js';
import type { KasSection } from '../src/config/KasSection.js';
import { assembleKasConfigSchema, kasConfigSchema } from '../src/config/kasConfigSchema.js';
import { loadConfigFile } from '../src/config/loadConfigFile.js';

const AGENT = { id: 'agent-1', tokenSha256: 'a'.repeat(64) };
/** A certificate and its key: the TLS files are read and checked while the modules are created. */
const certificates = createDevCertificates();

/** A directory with an agents file, a users file and a shared secret, and a kas.yaml using them. */
async function setUp(kasYaml: (dir: string) => string, agents: unknown[] = [AGENT]) {
  const dir = await mkdtemp(join(tmpdir(), 'kas-sections-'));
  await writeFile(join(dir, 'agents.yaml'), JSON.stringify(agents));
  await writeFile(
    join(dir, 'users.yaml'),
    JSON.stringify([{ name: 'alice', tokenSha256: 'b'.repeat(64), agents: ['agent-1'] }]),
  );
  await writeFile(join(dir, 'secret'), 'a-shared-secret-of-the-replicas\n');
  const { server } = await certificates;
  await writeFile(join(dir, 'tls.pem'), server.cert);
  await writeFile(join(dir, 'tls-key.pem'), server.key);
  const file = join(dir, 'kas.yaml');
  await writeFile(file, kasYaml(dir));
  return { dir, file };
}

const sections = (dir: string, kubeProxy = 'plainHttp: true') =>
  [
    'agentGrpc:',
    `  agentsFile: ${dir}/agents.yaml`,
    'kubeProxy:',
    `  usersFile: ${dir}/users.yaml`,
    `  ${kubeProxy}`,
    'privateApi:',
    `  sharedSecretFile: ${dir}/secret`,
    '',
  ].join('\n');

async function create(
  file: string,
  schema = kasConfigSchema,
  list: readonly KasSection[] = BUILT_IN_SECTIONS,
) {
  const { config, where } = await loadConfigFile(schema, { file, env: {} });
  return createKasModules(list, { config: config as never, files: diskFiles(where), where });
}

describe("the sections' modules", () => {
  it('are created from kas.yaml and the files it names, one module per built-in section', async () => {
    const { file } = await setUp((dir) => sections(dir));
    const modules = await create(file);
    expect(modules.map((module) => module.name)).toEqual([
      'agent-grpc-server',
      'tunnel-tracker',
      'kube-proxy',
      'private-api',
    ]);
    expect(modules[0]?.drainBudget).toBe(3_600_000 + 10_000);
  });

  it("report a module's own cross-field check at the line of its key in kas.yaml", async () => {
    const { file } = await setUp(
      (dir) =>
        `${sections(dir, `tls: { certFile: ${dir}/tls.pem, keyFile: ${dir}/tls-key.pem }\n  plainHttp: true`)}tunnelTracker:\n  refreshPeriod: 2m\n`,
    );
    const error = await create(file).catch((caught: Error) => caught);
    expect(error).toMatchObject({ code: 'KAS_CONFIG_INVALID' });
    expect((error as Error).message).toContain(
      `${file}:6:14: kubeProxy.plainHttp: is set together with tls: give tls (kubectl sends tokens only over HTTPS), or plainHttp alone`,
    );
    expect((error as Error).message).toContain(
      `${file}:10:18: tunnelTracker.refreshPeriod: must be shorter than entryTtl (2m is not below 1m)`,
    );
  });

  it('name the key, its line and the file for a bad entry of a file the config names', async () => {
    const { file } = await setUp(
      (dir) => sections(dir),
      [AGENT, { id: 'agent-2', tokenSha256: 'A'.repeat(64) }],
    );
    const error = await create(file).catch((caught: Error) => caught);
    expect(error).toMatchObject({ code: 'KAS_CONFIG_INVALID' });
    expect((error as Error).message).toBe(
      `${file}:2:15: agentGrpc.agentsFile: ${join(file, '..', 'agents.yaml')}: [1].tokenSha256: is also the token hash of agent "agent-1": give each agent its own token`,
    );
  });

  it('refuse a shared secret that is too short, naming the key and the file but never the secret', async () => {
    const { dir, file } = await setUp((dir) => sections(dir));
    await writeFile(join(dir, 'secret'), 'short-secret\n');
    const error = await create(file).catch((caught: Error) => caught);
    expect(error).toMatchObject({
      code: 'KAS_CONFIG_INVALID',
      message: `${file}:7:21: privateApi.sharedSecretFile: ${dir}/secret: expected at least 16 characters: generate one with \`openssl rand -base64 32\` and give every replica the same value`,
    });
  });

  it('come from a section a loaded module contributes exactly as from a built-in one', async () => {
    class AuditError extends CoreError<'AUDIT_CONFIG_INVALID'> {}
    const auditSchema = z.strictObject({ flushInterval: duration().prefault('5s'), path: z.string() });
    const auditModule = (input: z.input<typeof auditSchema>) => {
      const config = parseConfig(
        auditSchema,
        input,
        (problems, cause) => new AuditError('AUDIT_CONFIG_INVALID', problems, 'fix it', { cause }),
      );
      return defineModule({
        name: 'audit-sink',
        drainBudget: config.flushInterval,
        create: () => ({ start: async () => {}, stop: async () => {} }),
      });
    };
    const audit: KasSection<'audit', typeof auditSchema> = {
      key: 'audit',
      schema: auditSchema,
      create: async (section) => [auditModule(section)],
    };
    const list = [...BUILT_IN_SECTIONS, audit];
    const { file } = await setUp(
      (dir) => `${sections(dir)}audit:\n  path: /var/log/audit\n  flushInterval: 2s\n`,
    );
    const modules = await create(file, assembleKasConfigSchema(list) as never, list);
    expect(modules.at(-1)).toMatchObject({ name: 'audit-sink', drainBudget: 2_000 });

    const bad = await setUp((dir) => `${sections(dir)}audit:\n  flushInterval: soon\n`);
    const error = await create(bad.file, assembleKasConfigSchema(list) as never, list).catch(
      (caught: Error) => caught.message,
    );
    expect(error).toContain(`${bad.file}:9:18: audit.flushInterval: expected a duration`);
    expect(error).toContain(`${bad.file}:9:3: audit.path: missing: expected string`);
    expect(() => assembleKasConfigSchema([...BUILT_IN_SECTIONS, { ...audit, key: 'kubeProxy' }])).toThrow(
      /the kas.yaml key "kubeProxy" is claimed twice/,
    );
  });
});
