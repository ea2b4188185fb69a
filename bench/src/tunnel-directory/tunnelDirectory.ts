import { startRedis } from '@kas/testkit';
import { Redis } from 'ioredis';
import type { Benchmark, BenchmarkRow } from '../Benchmark.js';
import { measureBareWithdrawFloor } from '../floors/measureBareWithdrawFloor.js';
import { median } from '../floors/median.js';
import { measureTrackerRun, type Registration, type TrackerRun } from './measureTrackerRun.js';

const AGENTS = 10_000;
const RUNS = 7;
const REGISTRATIONS: readonly Registration[] = ['per-event', 'bulk'];
/** Commands the benchmark's own admin connection sends while counting; not the tracker's. */
const ADMIN_COMMANDS = new Set(['info', 'config|resetstat']);
/** Commands the tracker's scripts run inside Redis: counted by Redis, but no round trips of their own. */
const SCRIPT_COMMANDS = new Set(['del', 'hdel', 'zrange', 'hset', 'zadd', 'pexpire', 'pttl', 'time', 'zrem']);

const ms = (value: number) => value.toFixed(value < 10 ? 2 : 1);

/**
 * Benchmark 4 of issue 9: the real tunnel tracker against a real redis-server registers 10,000 agents
 * (one event each, or all present at start) and, at stop, withdraws them all; ops/s, the stop's round
 * trips and latency, with Redis's own command counts as the cross-check and the bare one-script withdraw
 * of as many entries, from the same Redis in the same run, as the reference.
 */
export const tunnelDirectory: Benchmark = {
  name: 'tunnel-directory',
  description:
    'tunnel tracker on Redis: register 10,000 agents (per event and in bulk), withdraw them all at stop',
  async run() {
    const redis = await startRedis();
    const admin = new Redis(redis.url);
    try {
      const agentIds = Array.from({ length: AGENTS }, (_, index) => `agent-${index}`);
      const runs = new Map<Registration, TrackerRun[]>(
        REGISTRATIONS.map((registration) => [registration, []]),
      );
      for (let run = 0; run <= RUNS; run++) {
        for (const registration of REGISTRATIONS) {
          const measured = await measureTrackerRun(redis.url, admin, agentIds, registration);
          if (run > 0) runs.get(registration)?.push(measured); // run 0 warms up Node and Redis
        }
      }
      await admin.flushall();
      const floor = await measureBareWithdrawFloor(redis.url, AGENTS);
      const rows: BenchmarkRow[] = [];
      for (const [registration, measured] of runs) {
        const of = (pick: (run: TrackerRun) => number) => median(measured.map(pick));
        const registerMs = of((run) => run.registerMs);
        const withdrawMs = of((run) => run.withdraw.durationMs);
        rows.push({
          registration,
          agents: AGENTS,
          runs: measured.length,
          'register ms': ms(registerMs),
          'register ops/s': Math.round(AGENTS / (registerMs / 1000)),
          'Redis script calls (register)': describeRange(measured.map((run) => run.registerScriptCalls)),
          'Redis busy ms (register)': ms(of((run) => run.registerRedisMs)),
          'withdraw ms': ms(withdrawMs),
          'withdraw min–max ms': `${ms(Math.min(...measured.map((run) => run.withdraw.durationMs)))}–${ms(Math.max(...measured.map((run) => run.withdraw.durationMs)))}`,
          'vs bare withdraw': `${(withdrawMs / floor.medianMs).toFixed(2)}×`,
          'stop ms': ms(of((run) => run.stopMs)),
          'round trips (tracker)': describeRange(measured.map((run) => run.withdraw.roundTrips)),
          'Redis round trips (stop)': describeCalls(measured, (command) => !SCRIPT_COMMANDS.has(command)),
          'Redis busy ms (stop)': ms(of((run) => (run.stopCalls.get('eval')?.usec ?? 0) / 1000)),
          'entries removed': describeRange(measured.map((run) => run.withdraw.agents)),
          'keys left': describeRange(measured.map((run) => run.keysLeft)),
        });
      }
      return {
        columns: Object.keys(rows[0] ?? {}),
        rows,
        notes: [
          `Bare withdraw of ${AGENTS} entries in the same Redis (one EVAL, minimal script, measureBareWithdrawFloor): ${ms(floor.medianMs)} ms median (${ms(floor.minMs)}–${ms(floor.maxMs)}, ${floor.runs} runs).`,
          `Each run composes redis-connection + tunnel-tracker (store: redis, stop override: no agent-grpc-server) with an AgentPresence as the registry, against a redis-server started for the benchmark; medians over ${RUNS} runs after one warm-up, per-event and bulk alternating, Redis flushed before each.`,
          "per-event: after start, presence.connect() for every agent (each a register script, one round trip; ioredis pipelines them on its one connection), timed until the tracker counts all registered. bulk: the agents are present before start; the time is the tracker module's start (its one sync script).",
          '"withdraw ms": the tracker\'s own tunnels.withdrawn mark (one script round trip); "stop ms": app.stop() from call to return (withdraw, then redis-connection\'s QUIT). "Redis round trips (stop)": the commands clients sent during the stop by INFO commandstats after CONFIG RESETSTAT (the benchmark\'s own INFO/CONFIG left out); inside its one EVAL the withdraw ran ' +
            describeCalls([...runs.values()].flat(), (command) => SCRIPT_COMMANDS.has(command)) +
            '. "Redis busy ms": time Redis spent executing the scripts (commandstats usec). "keys left": DBSIZE after the stop.',
        ],
      };
    } finally {
      admin.disconnect();
      await redis.stop();
    }
  },
};

function describeRange(values: readonly number[]): string {
  const low = Math.min(...values);
  const high = Math.max(...values);
  return low === high ? String(low) : `${low}–${high}`;
}

/** The stop's calls of every run as Redis counted them (`eval 1, quit 1`); runs that differ are listed apart. */
function describeCalls(runs: readonly TrackerRun[], isShown: (command: string) => boolean): string {
  const described = new Set(
    runs.map((run) =>
      [...run.stopCalls]
        .filter(([command]) => !ADMIN_COMMANDS.has(command) && isShown(command))
        .map(([command, stat]) => `${command} ${stat.calls}`)
        .sort()
        .join(', '),
    ),
  );
  return [...described].join(' / ');
}
