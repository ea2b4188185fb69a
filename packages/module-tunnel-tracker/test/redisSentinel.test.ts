import type { LifecycleEvent } from '@kas/core';
import { startTestApp, type TestApp } from '@kas/core/testing';
import { eventually, freePort, type RedisSentinel, startRedisSentinel } from '@kas/testkit';
import { Redis, type RedisOptions } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import {
  RedisToken,
  type ReplicaInfo,
  redisConnectionModule,
  type TrackerTimingsConfig,
  type TunnelTrackerError,
  tunnelTrackerModule,
} from '../src/index.js';
import { agentKey } from '../src/redis/tunnelKeys.js';
import { captureLogs } from './support/captureLogs.js';
import { type CommandMonitor, clientAddress, monitorCommands } from './support/monitorCommands.js';
import { composeReplica, type TestReplica } from './support/replicaHarness.js';

const KEY_PREFIX = 'test:tunnels';
// The refresh is far off: only what the tracker does on reconnect can put entries on a new master in time.
const quiet: TrackerTimingsConfig = {
  entryTtl: 90_000,
  refreshPeriod: 30_000,
  cleanUpPeriod: 60_000,
  unregisterDelay: 50,
};
const sorted = (replicas: readonly ReplicaInfo[]) => replicas.map((replica) => replica.id).sort();
const marks = (trace: readonly LifecycleEvent[], name: string) =>
  trace.flatMap((event) => (event.type === 'module.mark' && event.name === name ? [event.data] : []));
const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error as TunnelTrackerError,
  );
/** The port of the server a client is connected to, as that server reports it. */
const serverPort = async (client: Redis) => /tcp_port:(\d+)/.exec(await client.info('server'))?.[1];

describe('the tunnel directory through Redis Sentinel (a master, its replica and a sentinel)', () => {
  let sentinel: RedisSentinel | undefined;
  const replicas: TestReplica[] = [];
  const observers: Redis[] = [];
  const monitors: CommandMonitor[] = [];
  let app: TestApp | undefined;
  afterEach(async () => {
    for (const monitor of monitors.splice(0)) monitor.close();
    await Promise.all(replicas.splice(0).map((replica) => replica.stop()));
    await app?.stop();
    app = undefined;
    for (const observer of observers.splice(0)) observer.disconnect();
    await sentinel?.stop();
    sentinel = undefined;
  });

  const startReplica = async (id: string, agents: readonly string[], credentials: RedisOptions = {}) => {
    const replica = await composeReplica(
      id,
      [
        redisConnectionModule({
          options: { sentinels: [...(sentinel?.sentinelNodes ?? [])], name: sentinel?.name, ...credentials },
        }),
        tunnelTrackerModule({ store: 'redis', keyPrefix: KEY_PREFIX, ...quiet }),
      ],
      { agents },
    );
    replicas.push(replica);
    return replica;
  };
  /** A plain connection to one Redis server, to read what is stored there. */
  const observe = (port: number, password?: string) => {
    const observer = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1, password });
    observers.push(observer);
    return observer;
  };
  const clientOf = (replica: TestReplica) => replica.testApp.app.get(RedisToken) as Redis;

  it("connected through the sentinel: entries land in its master, and a replica's withdraw is one round trip", async () => {
    sentinel = await startRedisSentinel();
    const a = await startReplica('replica-a', ['agent-1', 'agent-2', 'agent-shared']);
    const b = await startReplica('replica-b', ['agent-b', 'agent-shared']);
    const group = `sentinel "${sentinel.name}" via 127.0.0.1:${sentinel.sentinels[0]?.port}`;
    expect(a.logs.find((line) => line.event === 'tunnels.advertising')).toMatchObject({
      store: group,
    });

    // Both connected to the master through the sentinel, and the entries are stored there.
    expect(await serverPort(clientOf(a))).toBe(String(sentinel.master.port));
    const master = observe(sentinel.master.port);
    expect(await master.hkeys(agentKey(KEY_PREFIX, 'agent-1'))).toEqual(['replica-a']);
    expect(sorted(await b.directory.findReplicas('agent-1'))).toEqual(['replica-a']);
    expect(sorted(await a.directory.findReplicas('agent-shared'))).toEqual(['replica-b']);

    const addressOfA = await clientAddress(clientOf(a));
    const monitor = await monitorCommands('127.0.0.1', sentinel.master.port);
    monitors.push(monitor);
    await a.stop();
    replicas.splice(replicas.indexOf(a), 1);

    await monitor.settle();
    const fromA = monitor.commands.filter((command) => command.source === addressOfA).map((c) => c.name);
    // Exactly one script call (the withdraw); besides it only the connection's QUIT.
    expect(fromA.filter((name) => name === 'eval' || name === 'evalsha')).toEqual(['eval']);
    expect(fromA.filter((name) => !['eval', 'quit'].includes(name))).toEqual([]);
    expect(marks(a.testApp.trace, 'tunnels.withdrawn')).toEqual([
      { agents: 3, roundTrips: 1, durationMs: expect.any(Number) },
    ]);
    expect(a.metrics.snapshot()).toMatchObject({ lastWithdraw: { agents: 3, roundTrips: 1 } });
    expect(await master.hkeys(agentKey(KEY_PREFIX, 'agent-1'))).toEqual([]);
    expect(await master.hkeys(agentKey(KEY_PREFIX, 'agent-shared'))).toEqual(['replica-b']);
    expect(await master.hkeys(agentKey(KEY_PREFIX, 'agent-b'))).toEqual(['replica-b']);
  });

  it('the master killed: look-ups fail fast until the sentinel promotes the replica, then the tracker writes its current state there', async () => {
    sentinel = await startRedisSentinel();
    const a = await startReplica('replica-a', ['agent-1', 'agent-2']);
    const b = await startReplica('replica-b', ['agent-b']);

    await sentinel.master.kill();

    // While the master is gone: a clear error naming the sentinel group, without a round trip.
    await eventually(() => expect(clientOf(b).status).not.toBe('ready'));
    const findsBefore = b.metrics.snapshot().roundTrips.find;
    const error = await rejection(b.directory.findReplicas('agent-1'));
    expect(error).toMatchObject({
      code: 'KAS_TUNNEL_DIRECTORY_UNAVAILABLE',
      message: expect.stringContaining(
        `sentinel "${sentinel.name}" via 127.0.0.1:${sentinel.sentinels[0]?.port}`,
      ),
    });
    expect(b.metrics.snapshot().roundTrips.find).toBe(findsBefore);
    // Local state moves on meanwhile.
    a.presence.connect('agent-3');
    a.presence.disconnect('agent-2');
    await eventually(() => expect(a.metrics.snapshot().connectedAgents).toBe(2));

    // The sentinel promotes the replica; ioredis asks it again and follows.
    const promoted = sentinel.replica.port;
    await eventually(async () => expect((await sentinel?.masterAddress())?.port).toBe(promoted), {
      timeoutMs: 10_000,
    });
    await eventually(
      async () => {
        expect(sorted(await b.directory.findReplicas('agent-1'))).toEqual(['replica-a']);
        expect(sorted(await b.directory.findReplicas('agent-3'))).toEqual(['replica-a']);
        expect(await b.directory.findReplicas('agent-2')).toEqual([]);
        expect(sorted(await a.directory.findReplicas('agent-b'))).toEqual(['replica-b']);
      },
      { timeoutMs: 10_000 },
    );
    expect(await serverPort(clientOf(a))).toBe(String(promoted));
    expect(await serverPort(clientOf(b))).toBe(String(promoted));
    const newMaster = observe(promoted);
    expect(await newMaster.hkeys(agentKey(KEY_PREFIX, 'agent-3'))).toEqual(['replica-a']);
    expect(await newMaster.hkeys(agentKey(KEY_PREFIX, 'agent-2'))).toEqual([]);
    expect(a.metrics.snapshot().registeredAgents).toBe(2);
  });

  it('a sentinel group that cannot be reached at start: the error names the group and its sentinels', async () => {
    const port = await freePort();
    const failure = await startTestApp({
      modules: [
        redisConnectionModule({ options: { sentinels: [{ host: '127.0.0.1', port }], name: 'kas-test' } }),
      ],
      overrides: { 'redis-connection': { startBudget: 1_000 } },
    }).then(
      () => undefined,
      (error: unknown) => error as Error & { cause: TunnelTrackerError },
    );
    expect(failure?.cause).toMatchObject({
      code: 'KAS_REDIS_UNREACHABLE',
      message: expect.stringContaining(`could not reach Redis at sentinel "kas-test" via 127.0.0.1:${port}`),
    });
  });

  it('sentinels that ask for a password of their own: without it, or with a wrong one, the start fails at once with KAS_REDIS_AUTH_FAILED naming the sentinel and its password key; with it, entries land in the master', async () => {
    sentinel = await startRedisSentinel({ password: 'server-secret', sentinelPassword: 'sentinel-secret' });
    const asking = sentinel.sentinelNodes[0] ?? { host: '127.0.0.1', port: 0 };
    // A second sentinel that is not there, asked last: ioredis's error after the round names only its
    // ECONNREFUSED, yet the one that refused is what to fix.
    const absent = { host: '127.0.0.1', port: await freePort() };
    const startWith = (credentials: RedisOptions) =>
      startTestApp({
        modules: [
          redisConnectionModule({
            options: { sentinels: [asking, absent], name: sentinel?.name, ...credentials },
          }),
        ],
      }).then(
        () => undefined,
        (error: unknown) => error as Error & { code: string; cause: TunnelTrackerError },
      );
    for (const [credentials, reply, fix] of [
      [{ password: 'server-secret' }, 'NOAUTH', 'set redis.sentinel.passwordFile'],
      [
        { password: 'server-secret', sentinelPassword: 'a-wrong-password' },
        'WRONGPASS',
        'correct the file redis.sentinel.passwordFile names',
      ],
    ] as const) {
      const failure = await startWith(credentials);
      expect(failure?.code).toBe('KAS_START_FAILED');
      expect(failure?.cause).toMatchObject({
        code: 'KAS_REDIS_AUTH_FAILED',
        message: expect.stringContaining(
          `the sentinel ${asking.host}:${asking.port} (of sentinel "${sentinel.name}" via ${asking.host}:${asking.port},${absent.host}:${absent.port}) refused this client's credentials: ${reply}`,
        ),
        fix: expect.stringContaining(fix),
      });
      expect(failure?.cause.fix).toContain('KAS_REDIS__SENTINEL__PASSWORD_FILE');
      expect(JSON.stringify({ message: failure?.cause.message, fix: failure?.cause.fix })).not.toMatch(
        /secret|a-wrong-password/,
      );
    }

    // The sentinel's password, and the servers' password: through the sentinel to the master.
    const a = await startReplica('replica-a', ['agent-1'], {
      password: 'server-secret',
      sentinelPassword: 'sentinel-secret',
    });
    expect(await serverPort(clientOf(a))).toBe(String(sentinel.master.port));
    const master = observe(sentinel.master.port, 'server-secret');
    expect(await master.hkeys(agentKey(KEY_PREFIX, 'agent-1'))).toEqual(['replica-a']);
  });

  it('sentinels that begin to ask for a password while the tracker runs: one warning names the sentinel password key, not one per round of retries', async () => {
    sentinel = await startRedisSentinel({ password: 'server-secret' });
    const { logger, lines } = captureLogs();
    app = await startTestApp({
      logger,
      modules: [
        redisConnectionModule({
          options: { sentinels: [...sentinel.sentinelNodes], name: sentinel.name, password: 'server-secret' },
        }),
      ],
    });
    const client = app.app.get(RedisToken) as Redis;
    const sentinelPort = sentinel.sentinels[0]?.port ?? 0;
    const sentinelAdmin = new Redis(sentinelPort, '127.0.0.1', { maxRetriesPerRequest: 1 });
    observers.push(sentinelAdmin);
    await sentinelAdmin.call('ACL', 'SETUSER', 'default', 'resetpass', '>sentinel-secret');
    // The connection to the master drops: ioredis asks the sentinel where the master is, and is refused.
    await observe(sentinel.master.port, 'server-secret').call(
      'CLIENT',
      'KILL',
      'TYPE',
      'normal',
      'SKIPME',
      'yes',
    );
    await eventually(() => expect(client.status).not.toBe('ready'));
    const refusals = () => lines.filter((line) => line.event === 'redis.error').length;
    await eventually(() => expect(refusals()).toBeGreaterThanOrEqual(4), { timeoutMs: 20_000 });
    // ioredis names its retry delay in each round's error (10ms, 20ms, ...): still one warning. (Its first
    // round after a drop may be empty, "All sentinels are unreachable" without a reason: one more warning.)
    const warnings = lines.filter((line) => line.event === 'redis.error' && line.level === 40);
    expect(warnings.length).toBeLessThan(refusals());
    expect(warnings.filter((line) => String(line.reason).includes('NOAUTH'))).toEqual([
      expect.objectContaining({
        reason: expect.stringContaining('NOAUTH'),
        fix: expect.stringContaining('redis.sentinel.passwordFile'),
        msg: expect.stringMatching(
          /^the Sentinel of sentinel "kas-test" via .* refused this client's credentials/,
        ),
      }),
    ]);
    await sentinelAdmin.auth('sentinel-secret');
    await sentinelAdmin.call('ACL', 'SETUSER', 'default', 'nopass');
    await eventually(() => expect(client.status).toBe('ready'), { timeoutMs: 20_000 });
  });
});
