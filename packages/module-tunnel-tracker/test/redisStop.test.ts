import type { App, LifecycleEvent } from '@kas/core';
import { eventually } from '@kas/testkit';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisToken } from '../src/index.js';
import { type CommandMonitor, clientAddress, monitorCommands } from './support/monitorCommands.js';
import { startRedisHarness } from './support/replicaHarness.js';

const marks = (trace: readonly LifecycleEvent[], name: string) =>
  trace.flatMap((event) => (event.type === 'module.mark' && event.name === name ? [event.data] : []));
/** No refresh or clean-up during the test: only the stop talks to Redis. */
const quiet = { entryTtl: 90_000, refreshPeriod: 30_000, cleanUpPeriod: 60_000 };

const progressOf = (app: App) =>
  app.snapshot().modules.find((module) => module.name === 'tunnel-tracker')?.progress;

describe('stopping a Redis-backed tracker', () => {
  let harness: Awaited<ReturnType<typeof startRedisHarness>> | undefined;
  let monitor: CommandMonitor | undefined;
  afterEach(async () => {
    monitor?.close();
    harness?.server.process.signal('SIGCONT');
    await harness?.close();
    monitor = undefined;
    harness = undefined;
  });

  it("removes all of its entries in exactly one round trip and leaves other replicas' entries alone", async () => {
    harness = await startRedisHarness();
    const agents = Array.from({ length: 50 }, (_, index) => `agent-${index}`);
    const a = await harness.startReplica('replica-a', { agents, timings: quiet });
    await harness.startReplica('replica-b', { agents: ['agent-0', 'agent-b'], timings: quiet });
    const addressOfA = await clientAddress(a.testApp.app.get(RedisToken) as Redis);
    monitor = await monitorCommands(harness.server.host, harness.server.port);

    await a.stop();
    await monitor.settle();

    // One EVAL (the withdraw), then the connection's QUIT: nothing else from replica A's connection.
    expect(monitor.commands.filter((command) => command.source === addressOfA).map((c) => c.name)).toEqual([
      'eval',
      'quit',
    ]);
    const removed = monitor.commands.filter(
      (command) => command.source === 'lua' && command.name === 'hdel' && command.args[1] === 'replica-a',
    );
    expect(removed).toHaveLength(50);
    for (const agent of agents.slice(1)) expect(await harness.storedEntries(agent)).toEqual([]);
    expect((await harness.storedEntries('agent-0')).map((entry) => entry.replicaId)).toEqual(['replica-b']);
    expect((await harness.storedEntries('agent-b')).map((entry) => entry.replicaId)).toEqual(['replica-b']);
    expect(marks(a.testApp.trace, 'tunnels.withdrawn')).toEqual([
      { agents: 50, roundTrips: 1, durationMs: expect.any(Number) },
    ]);
    expect(progressOf(a.testApp.app)).toEqual({
      state: 'withdrawn',
      agents: 50,
      roundTrips: 1,
      durationMs: expect.any(Number),
    });
  });

  it('finishes within its budget when Redis was killed, and says the entries will expire on their own', async () => {
    harness = await startRedisHarness();
    const a = await harness.startReplica('replica-a', { agents: ['agent-1'], timings: quiet });
    await harness.server.kill();
    await eventually(() => expect(a.testApp.app.get(RedisToken).status).not.toBe('ready'));

    const outcome = await a.stop();

    expect(outcome).toMatchObject({ status: 'clean', failed: [], cut: [] });
    expect(marks(a.testApp.trace, 'tunnels.leftToExpire')).toEqual([
      { agents: 1, reason: 'store unavailable' },
    ]);
    expect(a.logs.find((line) => String(line.msg).includes('will expire on their own'))).toMatchObject({
      level: 40,
      module: 'tunnel-tracker',
      agents: 1,
      expireWithinMs: 90_000,
    });
  });

  it('cuts the withdraw at its drain budget when Redis stalls, and leaves the entries to expire', async () => {
    harness = await startRedisHarness();
    const a = await harness.startReplica('replica-a', {
      agents: ['agent-1'],
      timings: quiet,
      overrides: { 'tunnel-tracker': { drainBudget: 300 }, 'redis-connection': { drainBudget: 300 } },
    });
    harness.server.process.signal('SIGSTOP');

    const outcome = await a.stop();

    expect(outcome.status).toBe('clean');
    expect([...outcome.cut].sort()).toEqual(['redis-connection', 'tunnel-tracker']);
    expect(marks(a.testApp.trace, 'tunnels.leftToExpire')).toEqual([
      { agents: 1, reason: 'drain budget ended' },
    ]);
    expect(progressOf(a.testApp.app)).toEqual({
      state: 'leftToExpire',
      agents: 1,
      reason: 'drain budget ended',
    });
  });
});
