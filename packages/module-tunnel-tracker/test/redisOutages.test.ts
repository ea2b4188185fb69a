import { startTestApp, type TestApp } from '@kas/core/testing';
import { eventually, freePort, type RedisServer, startRedis } from '@kas/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import {
  RedisHealthToken,
  RedisToken,
  type ReplicaInfo,
  redisConnectionModule,
  TunnelTrackerError,
} from '../src/index.js';
import { captureLogs } from './support/captureLogs.js';
import { startRedisHarness } from './support/replicaHarness.js';

const sorted = (replicas: readonly ReplicaInfo[]) => replicas.map((replica) => replica.id).sort();
const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error as TunnelTrackerError,
  );

describe('Redis outages', () => {
  let harness: Awaited<ReturnType<typeof startRedisHarness>> | undefined;
  let app: TestApp | undefined;
  let server: RedisServer | undefined;
  afterEach(async () => {
    harness?.server.process.signal('SIGCONT');
    await harness?.close();
    await app?.stop();
    await server?.stop();
    harness = undefined;
    app = undefined;
    server = undefined;
  });

  it('Redis killed and restarted empty on the same port: entries are back within one refresh period, no restart', async () => {
    harness = await startRedisHarness();
    // The refresh (30s) is far off: only the reconnect can bring the entries back within this test's bound.
    const slow = { entryTtl: 90_000, refreshPeriod: 30_000, cleanUpPeriod: 60_000, unregisterDelay: 50 };
    const a = await harness.startReplica('replica-a', { agents: ['agent-1', 'agent-2'], timings: slow });
    const b = await harness.startReplica('replica-b', { agents: ['agent-b'], timings: slow });
    const port = harness.server.port;

    await harness.server.kill();

    // Once the client has seen the connection go, look-ups fail at once with a clear code naming the
    // address, without attempting a round trip.
    await eventually(() => expect(b.testApp.app.get(RedisToken).status).not.toBe('ready'));
    const findsBefore = b.metrics.snapshot().roundTrips.find;
    const error = await rejection(b.directory.findReplicas('agent-1'));
    expect(error).toMatchObject({
      code: 'KAS_TUNNEL_DIRECTORY_UNAVAILABLE',
      message: expect.stringContaining(`127.0.0.1:${port}`),
    });
    expect(b.metrics.snapshot().roundTrips.find).toBe(findsBefore);
    // Local state moves on while Redis is away.
    a.presence.connect('agent-3');
    a.presence.disconnect('agent-2');
    await eventually(() => expect(a.metrics.snapshot().connectedAgents).toBe(2));

    await harness.server.restart();

    await eventually(
      async () => {
        expect(sorted(await b.directory.findReplicas('agent-1'))).toEqual(['replica-a']);
        expect(sorted(await b.directory.findReplicas('agent-3'))).toEqual(['replica-a']);
        expect(sorted(await a.directory.findReplicas('agent-b'))).toEqual(['replica-b']);
      },
      { timeoutMs: 15_000 },
    );
    expect(await b.directory.findReplicas('agent-2')).toEqual([]);
    // A counts its sync's entries when the reply is read, which may come after B's reads.
    await eventually(() => expect(a.metrics.snapshot().registeredAgents).toBe(2));
  });

  it('Redis emptied while the connection stays up: the refresh writes everything again', async () => {
    harness = await startRedisHarness();
    await harness.startReplica('replica-a', {
      agents: ['agent-1'],
      timings: { entryTtl: 3_000, refreshPeriod: 300 },
    });
    // FLUSHALL's OK says the entries are gone; reading them back would race the next refresh.
    expect(await harness.observer.flushall()).toBe('OK');
    await eventually(async () =>
      expect((await harness?.storedEntries('agent-1'))?.map((entry) => entry.replicaId)).toEqual([
        'replica-a',
      ]),
    );
  });

  it('Redis emptied by FLUSHALL: the entry check finds the marker gone and writes everything again, long before the refresh', async () => {
    harness = await startRedisHarness();
    // The refresh is 10 minutes off: only the entry check can bring the entries back within this test.
    const a = await harness.startReplica('replica-a', {
      agents: ['agent-1', 'agent-2'],
      timings: { entryTtl: '30m', refreshPeriod: '10m', cleanUpPeriod: '10m', entryCheckPeriod: 100 },
    });
    // While the entries are there, a check is one EXISTS and writes nothing.
    await eventually(() => expect(a.metrics.snapshot().roundTrips.check).toBeGreaterThanOrEqual(3));
    expect(a.metrics.snapshot().roundTrips.sync).toBe(1);
    expect(a.logs).not.toContainEqual(expect.objectContaining({ event: 'tunnels.lost' }));

    // FLUSHALL's OK says the entries are gone; reading them back would race the next check (100 ms).
    expect(await harness.observer.flushall()).toBe('OK');

    await eventually(async () => {
      for (const agent of ['agent-1', 'agent-2']) {
        expect((await harness?.storedEntries(agent))?.map((entry) => entry.replicaId)).toEqual(['replica-a']);
      }
    });
    // It refreshed them well within entryTtl, so they were removed, not expired: the line says Redis lost them.
    const lost = a.logs.filter((line) => line.event === 'tunnels.lost');
    expect(lost).toEqual([
      expect.objectContaining({
        cause: 'removed',
        agents: 2,
        entryTtlMs: 30 * 60_000,
        store: harness.server.url,
        msg: `this replica's tunnel directory entries are gone from ${harness.server.url} (emptied, restarted or failed over); writing 2 again now`,
      }),
    ]);
    expect(lost[0]?.refreshAgeMs).toBeLessThan(30 * 60_000);
    expect(a.metrics.snapshot().roundTrips.sync).toBe(2);
    expect(a.metrics.snapshot().failedRoundTrips.check).toBe(0);
  });

  it('Redis refusing writes (maxmemory, noeviction) is one warning for the whole refusal, not one per retry, and one line when writes succeed again', async () => {
    harness = await startRedisHarness();
    // Short periods: many syncs, checks and clean-ups are refused within the test.
    const a = await harness.startReplica('replica-a', {
      agents: ['agent-1', 'agent-2'],
      timings: { entryTtl: 2_000, refreshPeriod: 100, cleanUpPeriod: 100, entryCheckPeriod: 50 },
    });
    await harness.observer.config('SET', 'maxmemory-policy', 'noeviction');
    await harness.observer.config('SET', 'maxmemory', '1');
    // The entries expire meanwhile: the entry check then asks for a sync every 50 ms, each refused.
    await eventually(() => expect(a.metrics.snapshot().failedRoundTrips.sync).toBeGreaterThanOrEqual(10), {
      timeoutMs: 20_000,
    });
    a.presence.connect('agent-3');
    await eventually(() => expect(a.metrics.snapshot().failedRoundTrips.register).toBe(1));
    await eventually(() => expect(a.metrics.snapshot().failedRoundTrips.cleanUp).toBeGreaterThanOrEqual(1));

    const writeWarnings = a.logs.filter(
      (line) => (line.level as number) >= 40 && line.event !== 'tunnels.lost',
    );
    expect(writeWarnings).toEqual([
      expect.objectContaining({
        event: 'tunnels.writeFailing',
        store: harness.server.url,
        reason: expect.stringContaining('OOM command not allowed'),
        msg: expect.stringContaining(
          `cannot write this replica's tunnel directory entries in ${harness.server.url} (OOM`,
        ),
      }),
    ]);
    // What Redis refused is said in a few words: not the script's arguments, nor a stack.
    expect(JSON.stringify(writeWarnings[0]).length).toBeLessThan(1_000);

    await harness.observer.config('SET', 'maxmemory', '0');
    await eventually(async () =>
      expect((await harness?.storedEntries('agent-3'))?.map((entry) => entry.replicaId)).toEqual([
        'replica-a',
      ]),
    );
    const recovered = await eventually(() => {
      const lines = a.logs.filter((line) => line.event === 'tunnels.writeRecovered');
      expect(lines).toHaveLength(1);
      return lines[0];
    });
    expect(recovered).toMatchObject({
      level: 30,
      store: harness.server.url,
      failedWrites: expect.any(Number),
    });
    expect(recovered?.failedWrites).toBeGreaterThanOrEqual(12);
    expect(a.logs.filter((line) => line.event === 'tunnels.writeFailing')).toHaveLength(1);
  });

  it('a look-up on a stalled Redis fails with KAS_TUNNEL_DIRECTORY_UNAVAILABLE at the command timeout', async () => {
    harness = await startRedisHarness();
    const b = await harness.startReplica('replica-b', { connection: { commandTimeout: 200 } });
    harness.server.process.signal('SIGSTOP');
    const failure = await rejection(b.directory.findReplicas('agent-1'));
    expect(failure).toBeInstanceOf(TunnelTrackerError);
    expect(failure).toMatchObject({
      code: 'KAS_TUNNEL_DIRECTORY_UNAVAILABLE',
      message: expect.stringContaining('Command timed out'),
    });
    expect(b.metrics.snapshot().failedRoundTrips.find).toBe(1);
  });

  it('a stalled Redis (connection open, no answers) is one redis.stalled warning and health false; its first answer one redis.answering line', async () => {
    harness = await startRedisHarness();
    const b = await harness.startReplica('replica-b', { connection: { commandTimeout: 200 } });
    const health = b.testApp.app.get(RedisHealthToken);
    expect(health.isAnswering()).toBe(true);
    harness.server.process.signal('SIGSTOP');
    await eventually(() => !health.isAnswering(), { timeoutMs: 10_000 });
    expect(b.testApp.app.get(RedisToken).status).toBe('ready'); // ioredis sees nothing wrong
    const stalled = () => b.logs.filter((line) => line.event === 'redis.stalled');
    expect(stalled()).toEqual([
      expect.objectContaining({
        level: 40,
        address: harness.server.url,
        commandTimeoutMs: 200,
        reason: 'Command timed out',
        msg: `Redis at ${harness.server.url} did not answer a PING within 200ms though its connection is open (paused, overloaded, or a stalled network); until it answers, look-ups of agents held by other replicas fail (503) and this replica's entries are not refreshed`,
      }),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 2_500)); // more PINGs go unanswered: still one line
    expect(stalled()).toHaveLength(1);

    harness.server.process.signal('SIGCONT');
    await eventually(() => health.isAnswering(), { timeoutMs: 10_000 });
    const answering = b.logs.filter((line) => line.event === 'redis.answering');
    expect(answering).toEqual([
      expect.objectContaining({ level: 30, address: harness.server.url, silentMs: expect.any(Number) }),
    ]);
    expect(answering[0]?.silentMs).toBeGreaterThanOrEqual(2_500);
    expect(answering[0]?.msg).toMatch(
      /^Redis at redis:\/\/127\.0\.0\.1:\d+ answers again \(it was silent for \d/,
    );
  });

  it('look-ups fail with KAS_TUNNEL_DIRECTORY_UNAVAILABLE once the Redis connection has closed', async () => {
    harness = await startRedisHarness();
    const a = await harness.startReplica('replica-a');
    await harness.startReplica('replica-b', { agents: ['agent-b'] });
    expect(sorted(await a.directory.findReplicas('agent-b'))).toEqual(['replica-b']);
    await a.stop();
    expect(a.testApp.app.get(RedisToken).status).toBe('end');
    await expect(a.directory.findReplicas('agent-b')).rejects.toMatchObject({
      code: 'KAS_TUNNEL_DIRECTORY_UNAVAILABLE',
    });
  });

  it('Redis unreachable at start: ioredis retries until the start budget, then an error names the address', async () => {
    const port = await freePort();
    const { logger, lines } = captureLogs();
    const failure = await startTestApp({
      logger,
      modules: [redisConnectionModule({ url: `redis://user:secret@127.0.0.1:${port}` })],
      overrides: { 'redis-connection': { startBudget: 1_000 } },
    }).then(
      () => undefined,
      (error: unknown) => error as Error & { code: string; cause: TunnelTrackerError },
    );
    expect(failure?.code).toBe('KAS_START_FAILED');
    expect(failure?.cause).toMatchObject({
      code: 'KAS_REDIS_UNREACHABLE',
      message: expect.stringMatching(
        new RegExp(
          `could not reach Redis at redis://127\\.0\\.0\\.1:${port} within its start budget .*ECONNREFUSED`,
        ),
      ),
    });
    expect(failure?.message).toContain(`redis://127.0.0.1:${port}`);
    // More than one attempt was made, and the password never reached a log line or the error.
    expect(lines.filter((line) => line.msg === 'Redis connection error').length).toBeGreaterThan(1);
    expect(JSON.stringify(lines)).not.toContain('secret');
    expect(failure?.message).not.toContain('secret');
  });

  it('a Redis that asks for a password kas lacks, or refuses the one it has: the start fails with KAS_REDIS_AUTH_FAILED naming the password, not reachability', async () => {
    server = await startRedis({ args: ['--requirepass', 'the-real-password'] });
    for (const [url, reply] of [
      [server.url, 'NOAUTH'],
      [`redis://:a-wrong-password@127.0.0.1:${server.port}`, 'WRONGPASS'],
    ] as const) {
      const failure = await startTestApp({ modules: [redisConnectionModule({ url })] }).then(
        () => undefined,
        (error: unknown) => error as Error & { code: string; cause: TunnelTrackerError },
      );
      expect(failure?.code).toBe('KAS_START_FAILED');
      expect(failure?.cause).toMatchObject({
        code: 'KAS_REDIS_AUTH_FAILED',
        message: expect.stringContaining(
          `Redis at ${server.url} refused this client's credentials: ${reply}`,
        ),
        fix: expect.stringContaining('redis.passwordFile'),
      });
      expect(failure?.cause.message).not.toContain('a-wrong-password');
    }
  });

  it('a Redis that asks for a password after a restart: one warning names the refusal and the password key, not one per reconnect attempt', async () => {
    harness = await startRedisHarness();
    const a = await harness.startReplica('replica-a', { agents: ['agent-1'] });
    const client = a.testApp.app.get(RedisToken);
    await harness.observer.config('SET', 'requirepass', 'the-real-password');
    await harness.observer.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
    await eventually(() => expect(client.status).not.toBe('ready'));
    // ioredis tries again and again, each attempt refused.
    const attempts = () => a.logs.filter((line) => line.event === 'redis.error').length;
    await eventually(() => expect(attempts()).toBeGreaterThanOrEqual(3), { timeoutMs: 20_000 });
    const warnings = a.logs.filter((line) => line.event === 'redis.error' && line.level === 40);
    expect(warnings).toEqual([
      expect.objectContaining({
        address: harness.server.url,
        reason: expect.stringContaining('NOAUTH'),
        fix: expect.stringContaining('redis.passwordFile'),
      }),
    ]);
    await harness.observer.auth('the-real-password');
    await harness.observer.config('SET', 'requirepass', '');
    await eventually(() => expect(client.status).toBe('ready'), { timeoutMs: 20_000 });
    expect(a.logs.filter((line) => line.event === 'redis.back')).toHaveLength(1);
  });

  it('Redis that comes up while the connection starts: ioredis retries connect it within the start budget', async () => {
    const port = await freePort();
    const { logger, lines } = captureLogs();
    const starting = startTestApp({
      logger,
      modules: [redisConnectionModule({ url: `redis://127.0.0.1:${port}` })],
    });
    await eventually(() => expect(lines.some((line) => line.msg === 'Redis connection error')).toBe(true));
    server = await startRedis({ port });
    app = await starting;
    expect(app.app.get(RedisToken).status).toBe('ready');
  });
});
