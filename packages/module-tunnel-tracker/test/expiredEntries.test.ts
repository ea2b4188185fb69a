import { formatDuration } from '@kas/core';
import { eventually } from '@kas/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisToken, type TrackerTimingsConfig } from '../src/index.js';
import { startMemoryHarness, startRedisHarness, type TestReplica } from './support/replicaHarness.js';

const ENTRY_TTL_MS = 600;
/** A pause of twice entryTtl outlasts every entry; no clean-up or unregister comes due during a test. */
const TIMINGS: TrackerTimingsConfig = {
  entryTtl: ENTRY_TTL_MS,
  refreshPeriod: 200,
  cleanUpPeriod: '10m',
  unregisterDelay: '10m',
};

/**
 * Blocks this process's event loop for `ms` and returns for how long it was blocked: what SIGSTOP (or a
 * starved CPU) looks like to the replica's own timers. Nothing of the replica runs meanwhile; afterwards
 * every timer that came due runs, in an order the test does not choose. Redis, a process of its own,
 * keeps running and expires the replica's entries.
 */
function blockEventLoop(ms: number): number {
  const startedAt = performance.now();
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  return performance.now() - startedAt;
}

/** The replica's log lines since `from` (an index into its logs). */
const linesSince = (replica: TestReplica, from: number) => replica.logs.slice(from);
const lostLines = (replica: TestReplica, from: number) =>
  linesSince(replica, from).filter((line) => line.event === 'tunnels.lost');
/** Waits until the replica has read the answer to the sync that wrote its lost entries again. */
const rewritten = (replica: TestReplica, from: number) =>
  eventually(() =>
    expect(linesSince(replica, from)).toContainEqual(
      expect.objectContaining({ msg: 'tunnel directory entries written', reason: 'lost' }),
    ),
  );

describe('a replica that did not refresh its entries within entryTtl', () => {
  let harness: Awaited<ReturnType<typeof startRedisHarness>> | undefined;
  let memoryHarness: Awaited<ReturnType<typeof startMemoryHarness>> | undefined;
  afterEach(async () => {
    await harness?.close();
    await memoryHarness?.close();
    harness = undefined;
    memoryHarness = undefined;
  });
  const ids = async (agentId: string) =>
    (await harness?.storedEntries(agentId))?.map((entry) => entry.replicaId);

  it.each<{
    readonly noticedBy: string;
    readonly entryCheckPeriod: TrackerTimingsConfig['entryCheckPeriod'];
  }>([
    { noticedBy: 'the entry check or the refresh, whichever runs first', entryCheckPeriod: 50 },
    { noticedBy: 'the refresh alone (no entry check comes due)', entryCheckPeriod: '10m' },
  ])(
    'paused (SIGSTOP, a blocked event loop, a starved CPU): logs that its entries expired because it did not refresh them within entryTtl, not that Redis lost them, and writes them again: noticed by $noticedBy',
    async ({ entryCheckPeriod }) => {
      harness = await startRedisHarness();
      const a = await harness.startReplica('replica-a', {
        agents: ['agent-1', 'agent-2'],
        timings: { ...TIMINGS, entryCheckPeriod },
      });
      const [before] = await harness.storedEntries('agent-1');
      const expiredKeys = async () =>
        Number(/expired_keys:(\d+)/.exec((await harness?.observer.info('stats')) ?? '')?.[1]);
      const expiredBefore = await expiredKeys();
      const from = a.logs.length;

      const blockedMs = blockEventLoop(2 * ENTRY_TTL_MS);

      expect(blockedMs).toBeGreaterThan(ENTRY_TTL_MS);
      const [lost] = await eventually(() => lostLines(a, from).length > 0 && lostLines(a, from));
      expect(lost).toMatchObject({
        level: 40,
        cause: 'expired',
        agents: 2,
        entryTtlMs: ENTRY_TTL_MS,
        store: harness.server.url,
      });
      expect(lost?.refreshAgeMs).toBeGreaterThanOrEqual(Math.floor(blockedMs));
      expect(lost?.msg).toMatch(
        /^this replica's tunnel directory entries in redis:\/\/127\.0\.0\.1:\d+ expired: it last refreshed them \d+(?:s(?: \d+ms)?|ms) ago, longer than entryTtl \(600ms\), so the process was likely paused or starved of CPU, or could not reach redis:\/\/127\.0\.0\.1:\d+; writing 2 again now$/,
      );
      expect(lost?.msg).not.toContain('emptied, restarted or failed over');
      await rewritten(a, from);
      // Whichever overdue timer ran first (both did before the answer), that was the only line.
      expect(lostLines(a, from)).toHaveLength(1);
      // Redis was fine: it expired the keys the replica had not refreshed in time.
      expect(await expiredKeys()).toBeGreaterThan(expiredBefore);
      // Written again after the pause: each entry expires later than its old expiry plus entryTtl.
      for (const agent of ['agent-1', 'agent-2']) {
        const [after] = (await harness.storedEntries(agent)) ?? [];
        expect(after).toMatchObject({ replicaId: 'replica-a' });
        expect(after?.expiresAt).toBeGreaterThan(
          (before?.expiresAt ?? Number.POSITIVE_INFINITY) + ENTRY_TTL_MS,
        );
      }
      expect(a.metrics.snapshot().registeredAgents).toBe(2);
    },
  );

  it.each<{ readonly ends: string; readonly disconnect: (replica: TestReplica) => void }>([
    {
      // As a socket closed during a pause does: once resumed, libuv polls I/O before it runs due timers.
      ends: 'before the timers that came due run',
      disconnect: (replica) => replica.presence.disconnect('agent-2'),
    },
    {
      // As grpc-js tells it, tens of milliseconds after the process resumed (found by an operator trial:
      // SIGCONT wrote back an agent that had left, and it was advertised until its unregister delay).
      ends: 'a few turns after the process resumed',
      disconnect: (replica) => setTimeout(() => replica.presence.disconnect('agent-2'), 50),
    },
  ])(
    'paused: an agent whose last tunnel went during the pause (its connection ends $ends) is not written back (nor by later refreshes); back within the unregister delay, it is written at once',
    async ({ disconnect }) => {
      harness = await startRedisHarness();
      const a = await harness.startReplica('replica-a', {
        agents: ['agent-1', 'agent-2'],
        timings: { ...TIMINGS, entryCheckPeriod: 50 },
      });
      const from = a.logs.length;

      blockEventLoop(2 * ENTRY_TTL_MS);
      disconnect(a);

      await rewritten(a, from);
      expect(lostLines(a, from)).toEqual([expect.objectContaining({ cause: 'expired', agents: 1 })]);
      expect(await ids('agent-1')).toEqual(['replica-a']);
      // Its entry expired during the pause; with a 10-minute unregister delay, only a write could bring it back.
      expect(await ids('agent-2')).toEqual([]);
      expect(a.metrics.snapshot().registeredAgents).toBe(1);

      // Nor do the refreshes that follow (each line is logged when Redis has answered the write).
      const refreshes = () =>
        linesSince(a, from).filter(
          (line) => line.msg === 'tunnel directory entries written' && line.reason === 'refresh',
        ).length;
      const refreshesSoFar = refreshes();
      await eventually(() => expect(refreshes()).toBeGreaterThan(refreshesSoFar));
      expect(await ids('agent-2')).toEqual([]);

      // Its tunnel comes back within the unregister delay: its entry is gone, so it is written at once.
      a.presence.connect('agent-2');
      expect(a.metrics.snapshot().roundTrips.register).toBe(1);
      await eventually(async () => expect(await ids('agent-2')).toEqual(['replica-a']));
      await eventually(() => expect(a.metrics.snapshot().registeredAgents).toBe(2));
    },
  );

  it('cut off from Redis for longer than entryTtl: once back, it logs that its entries expired meanwhile, and writes them again', async () => {
    harness = await startRedisHarness();
    const a = await harness.startReplica('replica-a', {
      agents: ['agent-1'],
      timings: { ...TIMINGS, entryCheckPeriod: 50 },
    });
    const from = a.logs.length;

    await harness.server.kill();
    const killedAt = performance.now();
    await eventually(() => expect(a.testApp.app.get(RedisToken).status).not.toBe('ready'));
    // The outage must outlast entryTtl: a lower bound of the scenario, not a guess at how long anything takes.
    await eventually(() => expect(performance.now() - killedAt).toBeGreaterThan(2 * ENTRY_TTL_MS));
    await harness.server.restart();

    await rewritten(a, from);
    expect(lostLines(a, from)).toEqual([
      expect.objectContaining({
        cause: 'expired',
        agents: 1,
        msg: expect.stringContaining(`or could not reach ${harness.server.url}; writing 1 again now`),
      }),
    ]);
    // The observer reconnects to the restarted server on its own schedule.
    await eventually(async () => expect(await ids('agent-1')).toEqual(['replica-a']));
  });

  // Regression: with the in-memory store (dev mode) the line ended "or could not reach memory".
  it('in memory (dev mode), paused: the line says the process was paused or too busy to refresh its entries, not that it could not reach a store', async () => {
    memoryHarness = await startMemoryHarness();
    const a = await memoryHarness.startReplica('replica-a', {
      agents: ['agent-1', 'agent-2'],
      timings: { ...TIMINGS, entryCheckPeriod: 50 },
    });
    const from = a.logs.length;

    blockEventLoop(2 * ENTRY_TTL_MS);

    await rewritten(a, from);
    const lost = lostLines(a, from);
    expect(lost).toEqual([
      expect.objectContaining({
        level: 40,
        cause: 'expired',
        agents: 2,
        entryTtlMs: ENTRY_TTL_MS,
        store: 'memory',
      }),
    ]);
    expect(lost[0]?.msg).toBe(
      `this replica's tunnel directory entries in memory expired: it last refreshed them ${formatDuration(Number(lost[0]?.refreshAgeMs))} ago, longer than entryTtl (600ms), so the process was paused or too busy to refresh them in time; writing 2 again now`,
    );
    for (const agent of ['agent-1', 'agent-2']) {
      expect(memoryHarness.table.liveEntries(agent)).toEqual([
        expect.objectContaining({ replicaId: 'replica-a' }),
      ]);
    }
  });
});
