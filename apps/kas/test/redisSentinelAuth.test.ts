import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RedisSentinel, type RunningProcess, startProcess, startRedisSentinel } from '@kas/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareDevFiles } from '../src/dev/prepareDevFiles.js';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const PASSWORD = 'the-redis-password';

/**
 * The Sentinel overlay's settings (deploy/kubernetes/overlays/sentinel), as environment variables over a
 * dev setup's kas.yaml: a Secret's password file, given to the servers and, with `sentinelPasswordFile`,
 * to the sentinels.
 */
describe('kas behind Redis Sentinel with a password (Bitnami: the sentinels ask for the Redis password too)', () => {
  let kas: RunningProcess | undefined;
  let sentinel: RedisSentinel | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await kas?.stop();
    await sentinel?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    kas = undefined;
    sentinel = undefined;
    dir = undefined;
  });

  const startKas = async (setup: RedisSentinel, withSentinelPassword: boolean) => {
    dir = await mkdtemp(join(tmpdir(), 'kas-sentinel-auth-'));
    const dev = await prepareDevFiles(join(dir, 'dev'));
    const passwordFile = join(dir, 'password');
    await writeFile(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
    kas = startProcess(process.execPath, [main, '--config', dev.configPath], {
      env: {
        KAS_REDIS__SENTINEL__NAME: setup.name,
        KAS_REDIS__SENTINEL__NODES: `[${setup.sentinelNodes.map((node) => `${node.host}:${node.port}`).join(', ')}]`,
        KAS_REDIS__PASSWORD_FILE: passwordFile,
        ...(withSentinelPassword ? { KAS_REDIS__SENTINEL__PASSWORD_FILE: passwordFile } : {}),
      },
    });
    return kas;
  };

  it('without redis.sentinel.passwordFile: exit 1 at once, one error line naming the sentinel that refused and the key to set (was: 30 s, then "could not reach Redis")', async () => {
    sentinel = await startRedisSentinel({ password: PASSWORD, sentinelPassword: PASSWORD });
    const child = await startKas(sentinel, false);
    expect(await child.exited).toEqual({ code: 1, signal: null });
    const errors = child.logs().filter((line) => Number(line.level) >= 50);
    const [sentinelNode] = sentinel.sentinelNodes;
    expect(errors).toEqual([
      expect.objectContaining({
        module: 'redis-connection',
        event: 'module.failed',
        error: expect.objectContaining({ code: 'KAS_REDIS_AUTH_FAILED' }),
        msg: expect.stringContaining(
          `the sentinel ${sentinelNode?.host}:${sentinelNode?.port} (of sentinel "${sentinel.name}" via ${sentinelNode?.host}:${sentinelNode?.port}) refused this client's credentials: NOAUTH`,
        ),
      }),
    ]);
    expect(JSON.stringify(errors[0])).toContain(
      'set redis.sentinel.passwordFile in kas.yaml (KAS_REDIS__SENTINEL__PASSWORD_FILE)',
    );
    expect(everything(child)).not.toContain(PASSWORD);
  });

  it('with redis.sentinel.passwordFile: kas asks the sentinels for the master and starts; a sentinel without a password accepts it too', async () => {
    for (const sentinelPassword of [PASSWORD, undefined]) {
      sentinel = await startRedisSentinel({ password: PASSWORD, sentinelPassword });
      const child = await startKas(sentinel, true);
      await child.waitForLog({ event: 'app.started' }, 20_000);
      expect(child.logs()).toContainEqual(
        expect.objectContaining({
          event: 'redis.ready',
          address: `sentinel "${sentinel.name}" via 127.0.0.1:${sentinel.sentinelNodes[0]?.port}`,
        }),
      );
      expect(everything(child)).not.toContain(PASSWORD);
      child.signal('SIGTERM');
      expect(await child.exited).toEqual({ code: 0, signal: null });
      await sentinel.stop();
      sentinel = undefined;
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    }
  });
});

/** Every line the process wrote, stdout and stderr, as written. */
function everything(child: RunningProcess): string {
  return child.lines.map((line) => line.text).join('\n');
}
