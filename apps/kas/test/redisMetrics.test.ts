import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually, type RedisServer, type RunningProcess, startProcess, startRedis } from '@kas/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareDevFiles } from '../src/dev/prepareDevFiles.js';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));

describe('kas_redis_connected', () => {
  let kas: RunningProcess | undefined;
  let redis: RedisServer | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await kas?.stop();
    await redis?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('is 1 while Redis answers, 0 while it is paused (SIGSTOP) and from the moment it is killed (readiness stays 200: local agents are still served), 1 again once it is back', async () => {
    redis = await startRedis();
    dir = await mkdtemp(join(tmpdir(), 'kas-redis-metrics-'));
    const dev = await prepareDevFiles(join(dir, 'dev'));
    const config = join(dir, 'kas.yaml');
    await writeFile(config, `${await readFile(dev.configPath, 'utf8')}redis:\n  url: ${redis.url}\n`);
    kas = startProcess(process.execPath, [main, '--config', config]);
    await kas.waitForLog({ event: 'app.started' }, 20_000);
    const url = String(kas.logs().find((log) => log.msg === 'observability listening')?.url);
    const connected = async () => {
      const metrics = await (await fetch(`${url}/metrics`)).text();
      return /^kas_redis_connected (\d)$/m.exec(metrics)?.[1];
    };
    expect(await connected()).toBe('1');

    // Paused: the connection stays open and ioredis reports nothing, but Redis does not answer.
    redis.process.signal('SIGSTOP');
    await eventually(async () => (await connected()) === '0', { timeoutMs: 15_000 });
    expect(kas.logs()).toContainEqual(expect.objectContaining({ event: 'redis.stalled', level: 40 }));
    redis.process.signal('SIGCONT');
    await eventually(async () => (await connected()) === '1', { timeoutMs: 15_000 });
    expect(kas.logs()).toContainEqual(expect.objectContaining({ event: 'redis.answering', level: 30 }));

    await redis.kill();
    await eventually(async () => (await connected()) === '0');
    expect((await fetch(`${url}/readiness`)).status).toBe(200);

    await redis.restart();
    await eventually(async () => (await connected()) === '1', { timeoutMs: 15_000 });
  });
});
