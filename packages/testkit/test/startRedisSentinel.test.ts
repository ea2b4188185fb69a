import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, type RedisSentinel, startRedisSentinel } from '../src/index.js';

const run = promisify(execFile);
const cli = (port: number, ...args: string[]) =>
  run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args]).then((result) => result.stdout.trim());

/** `redis-server` processes this test process started that still run. */
async function runningRedisChildren(): Promise<string[]> {
  const listed = await run('pgrep', ['-P', String(process.pid), '-a', 'redis-server']).then(
    (result) => result.stdout,
    () => '', // pgrep exits 1 when nothing matches
  );
  return listed.split('\n').filter((line) => line !== '');
}

describe('startRedisSentinel', () => {
  let setup: RedisSentinel | undefined;
  afterEach(async () => {
    await setup?.stop();
    setup = undefined;
  });

  it('starts a master, a replica in sync with it and a sentinel that knows both; stop() ends them all', async () => {
    setup = await startRedisSentinel();
    const { master, replica, sentinels, name } = setup;
    expect(new Set([master.port, replica.port, ...sentinels.map((sentinel) => sentinel.port)]).size).toBe(3);
    expect(await cli(master.port, 'INFO', 'replication')).toContain('connected_slaves:1');
    expect(await cli(replica.port, 'INFO', 'replication')).toContain(`master_port:${master.port}`);
    await cli(master.port, 'SET', 'written-to', 'master');
    await eventually(async () => expect(await cli(replica.port, 'GET', 'written-to')).toBe('master'));

    expect(setup.sentinelNodes).toEqual([{ host: '127.0.0.1', port: sentinels[0]?.port }]);
    expect(await cli(sentinels[0]?.port ?? 0, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)).toBe(
      `127.0.0.1\n${master.port}`,
    );
    expect(await setup.masterAddress()).toEqual({ host: '127.0.0.1', port: master.port });

    const configDir = dirname(sentinels[0]?.process.child.spawnargs[1] ?? '');
    expect(existsSync(configDir)).toBe(true);
    await setup.stop();
    expect(await runningRedisChildren()).toEqual([]);
    expect(existsSync(configDir)).toBe(false);
    await expect(cli(master.port, 'PING')).rejects.toThrow(/Connection refused/);
  });

  it('three sentinels that know each other promote the replica when the master is killed', async () => {
    setup = await startRedisSentinel({ sentinels: 3 });
    const { master, replica, sentinels, name } = setup;
    for (const sentinel of sentinels) {
      const fields = (await cli(sentinel.port, 'SENTINEL', 'MASTER', name)).split('\n');
      const field = (key: string) => fields[fields.indexOf(key) + 1];
      expect({ quorum: field('quorum'), others: field('num-other-sentinels') }).toEqual({
        quorum: '2',
        others: '2',
      });
    }

    await master.kill();

    // Every sentinel comes to name the replica: the leader of the failover first, the others by gossip.
    await eventually(async () => {
      for (const sentinel of sentinels) {
        expect(await cli(sentinel.port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)).toBe(
          `127.0.0.1\n${replica.port}`,
        );
      }
    });
    expect(await cli(replica.port, 'INFO', 'replication')).toContain('role:master');
    expect(await setup.masterAddress()).toEqual({ host: '127.0.0.1', port: replica.port });
    // The address comes from the first sentinel that answers.
    await sentinels[0]?.kill();
    expect(await setup.masterAddress()).toEqual({ host: '127.0.0.1', port: replica.port });
  });

  it('with password and sentinelPassword, the servers and the sentinels ask for them, and still fail over', async () => {
    setup = await startRedisSentinel({ password: 'server-secret', sentinelPassword: 'sentinel-secret' });
    const { master, replica, sentinels, name } = setup;
    const sentinelPort = sentinels[0]?.port ?? 0;
    expect(await cli(master.port, 'PING')).toMatch(/^NOAUTH/);
    expect(await cli(sentinelPort, 'PING')).toMatch(/^NOAUTH/);
    expect(await cli(master.port, '--no-auth-warning', '-a', 'server-secret', 'PING')).toBe('PONG');
    // The replica authenticates to the master, the sentinel to both.
    expect(
      await cli(master.port, '--no-auth-warning', '-a', 'server-secret', 'INFO', 'replication'),
    ).toContain('connected_slaves:1');
    expect(await setup.masterAddress()).toEqual({ host: '127.0.0.1', port: master.port });

    await master.kill();

    await eventually(async () =>
      expect(await setup?.masterAddress()).toEqual({ host: '127.0.0.1', port: replica.port }),
    );
    expect(
      await cli(
        sentinelPort,
        '--no-auth-warning',
        '-a',
        'sentinel-secret',
        'SENTINEL',
        'GET-MASTER-ADDR-BY-NAME',
        name,
      ),
    ).toBe(`127.0.0.1\n${replica.port}`);
  });

  it('says which part did not come up, and leaves nothing running', async () => {
    // The sentinel rejects its config: a master name cannot contain a space.
    await expect(startRedisSentinel({ name: 'bad name' })).rejects.toThrow(
      /^startRedisSentinel\("bad name"\): starting sentinel 1 of 1 failed: .*exited \(1\) before a matching line[\s\S]*sentinel monitor bad name/,
    );
    expect(await runningRedisChildren()).toEqual([]);
  });
});
