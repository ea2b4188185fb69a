import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfigFile } from '../src/config/loadConfigFile.js';

const schema = z.strictObject({
  kubeProxy: z
    .strictObject({
      listenAddress: z.string().default('127.0.0.1:8443'),
      drainBudgetMs: z.number().default(10),
    })
    .prefault({}),
  replica: z.strictObject({ id: z.string() }),
});

async function configFile(text: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'kas-config-')), 'kas.yaml');
  await writeFile(path, text);
  return path;
}

describe('loading a config file', () => {
  it('applies defaults and KAS_* environment overrides over the file', async () => {
    const file = await configFile('replica:\n  id: from-file\nkubeProxy:\n  drainBudgetMs: 5\n');
    const { config, where } = await loadConfigFile(schema, {
      file,
      env: { KAS_KUBE_PROXY__DRAIN_BUDGET_MS: '7', KAS_REPLICA__ID: 'from-env', HOME: '/root' },
    });
    expect(where(['kubeProxy', 'listenAddress'])).toBe(`${file}:4:3`); // a key not in the file: its section
    expect(where(['kubeProxy', 'drainBudgetMs'])).toBe('environment KAS_KUBE_PROXY__DRAIN_BUDGET_MS');
    expect(config).toEqual({
      replica: { id: 'from-env' },
      kubeProxy: { listenAddress: '127.0.0.1:8443', drainBudgetMs: 7 },
    });
  });

  it('skips the variables Kubernetes sets for a Service named kas-* (KAS_USERS_SERVICE_HOST), which are not config keys', async () => {
    const file = await configFile('replica:\n  id: from-file\n');
    const serviceLinks = {
      KAS_USERS_SERVICE_HOST: '10.96.56.78',
      KAS_USERS_SERVICE_PORT: '443',
      KAS_USERS_SERVICE_PORT_HTTPS: '443',
      KAS_USERS_PORT: 'tcp://10.96.56.78:443',
      KAS_USERS_PORT_443_TCP: 'tcp://10.96.56.78:443',
      KAS_USERS_PORT_443_TCP_PROTO: 'tcp',
      KAS_USERS_PORT_443_TCP_PORT: '443',
      KAS_USERS_PORT_443_TCP_ADDR: '10.96.56.78',
      KAS_REDIS_SERVICE_HOST: '10.96.0.9',
    };
    const { config } = await loadConfigFile(schema, {
      file,
      env: { ...serviceLinks, KAS_KUBE_PROXY__DRAIN_BUDGET_MS: '7' },
    });
    expect(config).toEqual({
      replica: { id: 'from-file' },
      kubeProxy: { listenAddress: '127.0.0.1:8443', drainBudgetMs: 7 },
    });
    // A misspelt key is still reported, not taken for a Service's variable.
    const error = await loadConfigFile(schema, { file, env: { KAS_KUBEPROXY: 'x' } }).catch(
      (caught: Error) => caught.message,
    );
    expect(error).toContain('environment KAS_KUBEPROXY: kubeproxy: unknown key');
  });

  it('takes an empty key for its defaults, and still reports an empty key it does not know, with a hint about modules: (was: accepted silently)', async () => {
    const good = await configFile('replica:\n  id: a\nkubeProxy:\n');
    expect((await loadConfigFile(schema, { file: good, env: {} })).config).toEqual({
      replica: { id: 'a' },
      kubeProxy: { listenAddress: '127.0.0.1:8443', drainBudgetMs: 10 },
    });
    const typo = await configFile(
      'replica:\n  id: a\nkubeProxi:\nkubeProxy:\n  listenAdress:\nagentStatus:\n',
    );
    const error = await loadConfigFile(schema, { file: typo, env: {} }).catch(
      (caught: Error) => caught.message,
    );
    expect(error).toContain(
      `${typo}:3:1: kubeProxi: unknown key (known here: kubeProxy, replica), did you mean "kubeProxy"?\n`,
    );
    expect(error).toContain(
      `${typo}:5:3: kubeProxy.listenAdress: unknown key (known here: listenAddress, drainBudgetMs)`,
    );
    expect(error).toContain(
      `${typo}:6:1: agentStatus: unknown key (known here: kubeProxy, replica); a module's section is known only when the module's package is listed under modules:`,
    );
    expect(error).not.toMatch(/(kubeProxi|listenAdress): unknown key.*modules:/);
  });

  it('names the file, line, key path and what is expected for a bad value', async () => {
    const file = await configFile(
      'replica:\n  id: a\nkubeProxy:\n  drainBudgetMs: soon\n  listenAdress: x\n',
    );
    const error = await loadConfigFile(schema, { file, env: {} }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'KAS_CONFIG_INVALID' });
    expect((error as Error).message).toContain(
      `${file}:4:18: kubeProxy.drainBudgetMs: expected a number (got "soon")`,
    );
    expect((error as Error).message).toContain(
      `${file}:5:3: kubeProxy.listenAdress: unknown key (known here: listenAddress, drainBudgetMs), did you mean "listenAddress"?`,
    );
  });

  it('names the environment variable when the bad value came from it', async () => {
    const error = await loadConfigFile(schema, { env: { KAS_REPLICA__ID: '[1, 2]' } }).catch(
      (caught: Error) => caught.message,
    );
    expect(error).toContain('environment KAS_REPLICA__ID: replica.id: expected a string (got [1,2])');
  });

  it('reports a YAML syntax error with its line, and a missing file with its path', async () => {
    const file = await configFile('replica:\n  id: [unclosed\n');
    await expect(loadConfigFile(schema, { file, env: {} })).rejects.toMatchObject({
      code: 'KAS_CONFIG_SYNTAX',
      message: expect.stringContaining(`${file}:`),
    });
    await expect(loadConfigFile(schema, { file: '/nonexistent/kas.yaml', env: {} })).rejects.toMatchObject({
      code: 'KAS_CONFIG_UNREADABLE',
      message: expect.stringContaining('/nonexistent/kas.yaml'),
    });
  });

  it("reports a repeated key at its line, in time linear in the keys (yaml's own check is quadratic: a 1 MB mapping took 13 s)", async () => {
    const keys = Array.from({ length: 30_000 }, (_, i) => `  k${i}: ${i}`).join('\n');
    const file = await configFile(`replica:\n  id: a\nextra:\n${keys}\n  k7: again\n`);
    await expect(loadConfigFile(schema, { file, env: {} })).rejects.toMatchObject({
      code: 'KAS_CONFIG_SYNTAX',
      message: `${file}:30004:3: Map keys must be unique: "k7" is set twice in one mapping (first at line 11)`,
    });
  });

  it('says which key is repeated and how to fix it (was: "Map keys must be unique", fix "indentation, quotes, a missing colon")', async () => {
    const file = await configFile('replica:\n  id: a\nlog:\n  level: info\nreplica:\n  id: b\n');
    await expect(loadConfigFile(schema, { file, env: {} })).rejects.toMatchObject({
      code: 'KAS_CONFIG_SYNTAX',
      message: `${file}:5:1: Map keys must be unique: "replica" is set twice in one mapping (first at line 1)`,
      fix: 'merge the two "replica:" entries into one: YAML keeps no repeated key',
    });
  });

  it('refuses a file over 1 MiB before reading it (a log or a dump given to --config)', async () => {
    const file = await configFile(`# ${'x'.repeat(1024 * 1024)}\nreplica:\n  id: a\n`);
    await expect(loadConfigFile(schema, { file, env: {} })).rejects.toMatchObject({
      code: 'KAS_CONFIG_TOO_LARGE',
      message: `${file} is 1.0 MiB: a config file may be at most 1 MiB`,
    });
  });
});
