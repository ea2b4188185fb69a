import { createApp } from '@kas/core';
import {
  ReplicaIdentityToken,
  redisConnectionModule,
  TunnelTrackerMetricsToken,
  tunnelTrackerModule,
} from '@kas/module-tunnel-tracker';
import { AgentPresence } from '@kas/module-tunnel-tracker/testing';
import { startRedis } from '@kas/testkit';
import { TunnelRegistryToken } from '@kas/tunnel-protocol';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import type { Benchmark, BenchmarkRow } from '../Benchmark.js';
import { redisCommandCalls } from '../tunnel-directory/redisCommandCalls.js';

const AGENT_COUNTS = [500, 10_000] as const;
/** The check's period while measuring: short so a few seconds hold many checks (the default is 2 s). */
const CHECK_PERIOD_MS = 25;
/** How long each window is measured, with the check running and with it off. */
const WINDOW_MS = 5_000;

interface Window {
  readonly checks: number;
  readonly failedChecks: number;
  readonly commands: number;
  readonly seen: string;
  readonly redisUsec: number;
  readonly cpuUsec: number;
  readonly syncUsec: number;
}

/**
 * The entry check of issue 12 (item 4): what one check costs a replica and Redis, at 500 and 10,000
 * agents, next to the refresh (sync) it replaces as the way lost entries come back.
 */
export const directoryCheck: Benchmark = {
  name: 'directory-check',
  description: "tunnel tracker's entry check on Redis: commands, Redis time and client CPU per check",
  async run() {
    const redis = await startRedis();
    const admin = new Redis(redis.url);
    const rows: BenchmarkRow[] = [];
    try {
      for (const agents of AGENT_COUNTS) {
        const idle = await measureWindow(redis.url, admin, agents, undefined);
        const checking = await measureWindow(redis.url, admin, agents, CHECK_PERIOD_MS);
        rows.push({
          agents,
          checks: checking.checks,
          'Redis commands per check': (checking.commands / checking.checks).toFixed(2),
          'commands seen': checking.seen,
          'Redis µs per check': (checking.redisUsec / checking.checks).toFixed(2),
          'client CPU µs per check': ((checking.cpuUsec - idle.cpuUsec) / checking.checks).toFixed(0),
          'client CPU ms, window with checks / without': `${(checking.cpuUsec / 1000).toFixed(0)} / ${(idle.cpuUsec / 1000).toFixed(0)}`,
          'sync at start, Redis µs': checking.syncUsec,
          'failed checks': checking.failedChecks,
        });
      }
    } finally {
      admin.disconnect();
      await redis.stop();
    }
    return {
      columns: Object.keys(rows[0] ?? {}),
      rows,
      notes: [
        `One replica (redis-connection + tunnel-tracker, store: redis, AgentPresence as the registry) advertising N agents against a redis-server started for the benchmark; entryCheckPeriod ${CHECK_PERIOD_MS} ms so a ${WINDOW_MS} ms window holds about ${WINDOW_MS / CHECK_PERIOD_MS} checks (the default period is 2 s), refresh and clean-up 10 minutes off.`,
        `"Redis commands per check": commands Redis counted (INFO commandstats after CONFIG RESETSTAT, the benchmark's own INFO/CONFIG left out) divided by the checks the tracker counted. "Redis µs per check": Redis's own execution time of those commands. "client CPU µs per check": the process's CPU (user + system, process.cpuUsage) over a ${WINDOW_MS} ms window with checks, minus the same window with the check off (entryCheckPeriod 10 minutes), divided by the checks.`,
        '"sync at start": the one script that writes every entry (what a refresh or a recovery costs), by Redis\'s own time, for comparison.',
      ],
    };
  },
};

/** One replica advertising `agents` for `WINDOW_MS`, with the check every `checkPeriodMs` or off. */
async function measureWindow(
  redisUrl: string,
  admin: Redis,
  agents: number,
  checkPeriodMs: number | undefined,
): Promise<Window> {
  await admin.flushall();
  const presence = new AgentPresence(Array.from({ length: agents }, (_, index) => `agent-${index}`));
  const app = createApp({
    modules: [
      redisConnectionModule({ url: redisUrl }),
      tunnelTrackerModule({
        store: 'redis',
        entryTtl: '30m',
        refreshPeriod: '10m',
        cleanUpPeriod: '10m',
        entryCheckPeriod: checkPeriodMs ?? '10m',
      }),
    ],
    overrides: { 'tunnel-tracker': { stop: {} } }, // no agent-grpc-server to stop with
    provide: [
      { token: TunnelRegistryToken, useValue: presence },
      { token: ReplicaIdentityToken, useValue: { id: 'bench-replica', privateAddress: '127.0.0.1:8155' } },
    ],
    logger: pino({ level: 'warn' }),
  });
  await admin.config('RESETSTAT');
  await app.start();
  try {
    const atStart = await redisCommandCalls(admin);
    const syncUsec = (atStart.get('evalsha')?.usec ?? 0) + (atStart.get('eval')?.usec ?? 0);
    const metrics = app.get(TunnelTrackerMetricsToken);
    await admin.config('RESETSTAT');
    const checksBefore = metrics.snapshot().roundTrips.check;
    const cpuBefore = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
    const cpu = process.cpuUsage(cpuBefore);
    const calls = await redisCommandCalls(admin);
    let commands = 0;
    let redisUsec = 0;
    const seen: string[] = [];
    for (const [command, stat] of calls) {
      if (command === 'info' || command === 'config|resetstat') continue;
      commands += stat.calls;
      redisUsec += stat.usec;
      seen.push(`${command} ${stat.calls}`);
    }
    return {
      checks: metrics.snapshot().roundTrips.check - checksBefore,
      failedChecks: metrics.snapshot().failedRoundTrips.check,
      commands,
      seen: seen.join(', '),
      redisUsec,
      cpuUsec: cpu.user + cpu.system,
      syncUsec,
    };
  } finally {
    await app.stop();
  }
}
