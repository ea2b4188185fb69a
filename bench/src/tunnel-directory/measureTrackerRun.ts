import { createApp, type LifecycleEvent } from '@kas/core';
import {
  ReplicaIdentityToken,
  redisConnectionModule,
  TunnelTrackerMetricsToken,
  tunnelTrackerModule,
  type WithdrawResult,
} from '@kas/module-tunnel-tracker';
import { AgentPresence } from '@kas/module-tunnel-tracker/testing';
import { TunnelRegistryToken } from '@kas/tunnel-protocol';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { type CommandStat, redisCommandCalls } from './redisCommandCalls.js';

/** How the agents reach the tracker: one event each after start, or all present before it starts. */
export type Registration = 'per-event' | 'bulk';

/** One run: registering the agents, then the stop that withdraws them. */
export interface TrackerRun {
  /** From the first event to the last entry acknowledged (per-event), or the tracker's start (bulk). */
  readonly registerMs: number;
  /** Script calls Redis counted while registering (`EVAL` + `EVALSHA`). */
  readonly registerScriptCalls: number;
  /** Time Redis spent executing those scripts, ms. */
  readonly registerRedisMs: number;
  /** The tracker's own account of its withdraw (the `tunnels.withdrawn` mark). */
  readonly withdraw: WithdrawResult;
  /** `app.stop()` from call to return. */
  readonly stopMs: number;
  /** Calls Redis counted during the stop, by command (the tracker's withdraw is one `eval`). */
  readonly stopCalls: ReadonlyMap<string, CommandStat>;
  /** Keys left in Redis after the stop (0 when every entry and index went). */
  readonly keysLeft: number;
}

const POLL_MS = 1;
const REGISTER_TIMEOUT_MS = 60_000;

/**
 * Composes the real `redis-connection` and `tunnel-tracker` (store: redis) with an `AgentPresence` as the
 * agent registry, registers `agentIds` one way or the other, and stops the app. `admin` is a separate
 * connection to the same, otherwise empty, Redis for `CONFIG RESETSTAT`, `INFO commandstats` and `DBSIZE`.
 */
export async function measureTrackerRun(
  redisUrl: string,
  admin: Redis,
  agentIds: readonly string[],
  registration: Registration,
): Promise<TrackerRun> {
  await admin.flushall();
  const presence = new AgentPresence(registration === 'bulk' ? agentIds : []);
  const app = createApp({
    modules: [redisConnectionModule({ url: redisUrl }), tunnelTrackerModule({ store: 'redis' })],
    // No agent-grpc-server here to stop `with`: the tracker stops on its own, first.
    overrides: { 'tunnel-tracker': { stop: {} } },
    provide: [
      { token: TunnelRegistryToken, useValue: presence },
      { token: ReplicaIdentityToken, useValue: { id: 'bench-replica', privateAddress: '127.0.0.1:8155' } },
    ],
    logger: pino({ level: 'warn' }),
  });
  let trackerStartMs = Number.NaN;
  let withdraw: WithdrawResult | undefined;
  app.subscribe((event: LifecycleEvent) => {
    if (event.type === 'module.started' && event.module === 'tunnel-tracker')
      trackerStartMs = event.durationMs;
    if (event.type === 'module.mark' && event.name === 'tunnels.withdrawn') {
      withdraw = {
        agents: Number(event.data?.agents),
        roundTrips: Number(event.data?.roundTrips),
        durationMs: Number(event.data?.durationMs),
      };
    }
  });
  await admin.config('RESETSTAT');
  await app.start();
  const metrics = app.get(TunnelTrackerMetricsToken);
  const startedAt = performance.now();
  for (const agentId of registration === 'per-event' ? agentIds : []) presence.connect(agentId);
  while (metrics.snapshot().registeredAgents < agentIds.length) {
    if (performance.now() - startedAt > REGISTER_TIMEOUT_MS) {
      throw new Error(
        `${metrics.snapshot().registeredAgents} of ${agentIds.length} agents registered after ${REGISTER_TIMEOUT_MS}ms`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  const registerMs = registration === 'bulk' ? trackerStartMs : performance.now() - startedAt;
  const registerCalls = await redisCommandCalls(admin);
  const scripts = ['eval', 'evalsha'].flatMap((command) => registerCalls.get(command) ?? []);
  await admin.config('RESETSTAT');
  const stopStartedAt = performance.now();
  const outcome = await app.stop('benchmark');
  const stopMs = performance.now() - stopStartedAt;
  if (outcome.status !== 'clean') throw new Error(`the app stopped ${outcome.status}`);
  if (withdraw === undefined) throw new Error('the tracker did not mark tunnels.withdrawn');
  const stopCalls = await redisCommandCalls(admin);
  return {
    registerMs,
    registerScriptCalls: scripts.reduce((sum, stat) => sum + stat.calls, 0),
    registerRedisMs: scripts.reduce((sum, stat) => sum + stat.usec, 0) / 1000,
    withdraw,
    stopMs,
    stopCalls,
    keysLeft: await admin.dbsize(),
  };
}
