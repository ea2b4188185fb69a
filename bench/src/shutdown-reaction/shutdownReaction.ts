import type { StopOrder } from '@kas/demo';
import type { Benchmark, BenchmarkRow } from '../Benchmark.js';
import { type GoawayTimes, measureBareGoawayFloor } from '../floors/index.js';
import { median } from '../floors/median.js';
import { type CpuUser, measureShutdownRun, type ShutdownRun } from './measureShutdownRun.js';

const AGENTS = 500;
const TUNNELS_PER_AGENT = 2;
/**
 * Holds the watch (and, in the legacy order, the agents) far longer than the current order's whole move
 * takes, yet lets legacy runs complete: the suite must stay under 10 minutes.
 */
const DRAIN_BUDGET_MS = 10_000;
/** Rounds of (GOAWAY floor, current, legacy); which ordering goes first alternates. */
const ROUNDS = 3;
const FLOOR_RUNS_PER_ROUND = 2;
const PROBE_INTERVAL_MS = 2;
const CAP_MS: Readonly<Record<StopOrder, number>> = { current: 10_000, legacy: DRAIN_BUDGET_MS + 10_000 };
const CPU_USERS: readonly CpuUser[] = ['agentk', 'kas A', 'kas B', 'redis', 'benchmark'];
const GOALS = { goawayRatio: 1.5, withdrawRatio: 2, liveOnBMs: 250 } as const;

const ms = (value: number | undefined) =>
  value === undefined || Number.isNaN(value) ? '–' : value.toFixed(Math.abs(value) < 10 ? 2 : 1);

/**
 * Benchmark 1 of issue 9: how fast a stopping replica lets its agents go, current vs legacy stop order,
 * with its floors measured in the same run. 500 agents × 2 idle tunnels on replica A (real kas processes
 * and one agentk process, from `@kas/demo`'s local cluster), replica B, Redis, and a watch in flight
 * through A's kube proxy that holds A's drain; SIGTERM to A.
 */
export const shutdownReaction: Benchmark = {
  name: 'shutdown-reaction',
  description: `SIGTERM to a replica holding ${AGENTS} agents × ${TUNNELS_PER_AGENT} tunnels and a watch: GOAWAY, entries withdrawn, agents live elsewhere; current vs legacy order, beside the bare floors`,
  async run() {
    const floorRuns: GoawayTimes[] = [];
    const clockOffsets: number[] = [];
    const runs: ShutdownRun[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const floor = await measureBareGoawayFloor(AGENTS, {
        streamsPerConnection: TUNNELS_PER_AGENT,
        runs: FLOOR_RUNS_PER_ROUND,
      });
      floorRuns.push(...floor.runs);
      clockOffsets.push(Math.abs(floor.clock.offsetMs) + floor.clock.errorMs);
      const orders: StopOrder[] = round % 2 === 0 ? ['current', 'legacy'] : ['legacy', 'current'];
      for (const stopOrder of orders) {
        process.stdout.write(`  round ${round + 1} of ${ROUNDS}: ${stopOrder} order\n`);
        runs.push(
          await measureShutdownRun({
            stopOrder,
            agents: AGENTS,
            tunnelsPerAgent: TUNNELS_PER_AGENT,
            drainBudgetMs: DRAIN_BUDGET_MS,
            capMs: CAP_MS[stopOrder],
            probeIntervalMs: PROBE_INTERVAL_MS,
          }),
        );
      }
    }
    return summarize(runs, floorRuns, Math.max(...clockOffsets));
  },
};

type Figure = (run: ShutdownRun) => number | undefined;

function summarize(runs: readonly ShutdownRun[], floorRuns: readonly GoawayTimes[], clockErrorMs: number) {
  const of = (stopOrder: StopOrder) => runs.filter((run) => run.stopOrder === stopOrder);
  const stats = (stopOrder: StopOrder, figure: Figure) => {
    const values = of(stopOrder)
      .map(figure)
      .filter((value): value is number => value !== undefined);
    return {
      median: median(values),
      min: Math.min(...values),
      max: Math.max(...values),
      count: values.length,
    };
  };
  const floor = {
    first: median(floorRuns.map((run) => run.firstMs)),
    median: median(floorRuns.map((run) => run.medianMs)),
    last: median(floorRuns.map((run) => run.lastMs)),
    withdraw: median(runs.map((run) => run.bareWithdrawMs)),
  };
  const goal = (value: number, limit: number, what: string) =>
    `${what}: ${value <= limit ? 'met' : 'NOT met'}`;
  const rows: BenchmarkRow[] = [];
  const row = (measure: string, figure: Figure, floorMs?: number, goalText?: (current: number) => string) => {
    const current = stats('current', figure);
    const legacy = stats('legacy', figure);
    const range = (s: typeof current) => (s.count === 0 ? '–' : `${ms(s.min)}–${ms(s.max)}`);
    rows.push({
      measure,
      current: ms(current.median),
      'current min–max': range(current),
      legacy: ms(legacy.median),
      'legacy min–max': range(legacy),
      floor: ms(floorMs),
      'current ÷ floor': floorMs === undefined ? '' : `${(current.median / floorMs).toFixed(1)}×`,
      'goal (current)': goalText?.(current.median) ?? '',
    });
  };
  const nth = (values: readonly number[], fraction: number) =>
    values.length === 0 ? undefined : values[Math.ceil(fraction * values.length) - 1];
  row('kas handled the signal (trace)', (run) => run.signalMs);
  row('agent-grpc-server called tryShutdown (trace)', (run) => run.goawaySentMs);
  row('first agent saw GOAWAY', (run) => run.goawayMs[0], floor.first);
  row('median agent saw GOAWAY', (run) => nth(run.goawayMs, 0.5), floor.median);
  row(
    'last agent saw GOAWAY',
    (run) => complete(run, run.goawayMs),
    floor.last,
    (current) => goal(current / floor.last, GOALS.goawayRatio, `≤ ${GOALS.goawayRatio}× floor`),
  );
  row('tunnel-tracker began its withdraw (trace)', (run) => run.trackerStoppingMs);
  row('withdraw round trip, as the tracker timed it', (run) => run.withdrawDurationMs, floor.withdraw);
  row(
    "A's entries gone: tracker's withdrawn mark (trace)",
    (run) => run.withdrawnMs,
    floor.withdraw,
    (current) => goal(current / floor.withdraw, GOALS.withdrawRatio, `≤ ${GOALS.withdrawRatio}× floor`),
  );
  row(`A's entries gone: outside Redis read every ${PROBE_INTERVAL_MS} ms`, (run) => run.redisGoneMs);
  row('first agent live on B', (run) => run.liveOnBMs[0]);
  row('99th percentile agent live on B', (run) =>
    isComplete(run, run.liveOnBMs) ? nth(run.liveOnBMs, 0.99) : undefined,
  );
  row(
    'last agent live on B',
    (run) => complete(run, run.liveOnBMs),
    undefined,
    (current) => goal(current, GOALS.liveOnBMs, `≤ ${GOALS.liveOnBMs} ms`),
  );
  for (const user of CPU_USERS) {
    row(`CPU ms of ${user} until the last agent was live on B`, (run) => run.cpuMs[user]);
  }
  row('cores busy meanwhile (CPU of all of them ÷ wall time)', (run) => {
    const used = CPU_USERS.map((user) => run.cpuMs[user]);
    return used.includes(undefined)
      ? undefined
      : (used as number[]).reduce((sum, value) => sum + value, 0) / run.cpuWindowMs;
  });
  const held = (stopOrder: StopOrder) =>
    `${of(stopOrder).filter((run) => run.isWatchHeld).length} of ${of(stopOrder).length}`;
  const incomplete = runs.filter((run) => !isComplete(run, run.liveOnBMs) || !isComplete(run, run.goawayMs));
  const leftovers = runs.filter((run) => run.entriesLeft > 0);
  return {
    columns: [
      'measure',
      'current',
      'current min–max',
      'legacy',
      'legacy min–max',
      'floor',
      'current ÷ floor',
      'goal (current)',
    ],
    rows,
    notes: [
      `Times in ms after the SIGTERM to A, unless the row says otherwise. CPU: user + system time from /proc/<pid>/stat (10 ms ticks) between the SIGTERM and the moment the last agent was live on B (the legacy window includes the drain, mostly idle; by then legacy's A has exited, so its CPU is not read).`,
      `${AGENTS} agents × ${TUNNELS_PER_AGENT} idle tunnels in one agentk process, all on replica A; replica B, redis-server, a fake Kubernetes API; one client-node watch through A's kube proxy, in flight at SIGTERM, with a drain budget of ${DRAIN_BUDGET_MS / 1000} s (kube-proxy, private-api; agent-grpc-server: kas's default, 10 s more), so the legacy order, which sends GOAWAY only after the proxy's drain, completes within the run (cap ${CAP_MS.legacy / 1000} s; current cap ${CAP_MS.current / 1000} s). ${ROUNDS} rounds, each a fresh cluster per order (the order that goes first alternates): medians and min–max over ${of('current').length} current and ${of('legacy').length} legacy runs.`,
      `Watch still held by A's drain when the last agent was live on B: current ${held('current')} runs, legacy ${held('legacy')} (legacy: the drain cut it at the budget, then GOAWAY went out). ${incomplete.length === 0 ? 'Every agent saw GOAWAY and was live on B in every run.' : `${incomplete.length} run(s) ended at the cap with agents missing: their "last" figures are left out.`} ${leftovers.length === 0 ? "Redis held none of A's entries at the end of every run." : `${leftovers.length} run(s) left entries of A in Redis.`}`,
      `Floors, same run: bare grpc-js tryShutdown with ${AGENTS} connections × ${TUNNELS_PER_AGENT} idle streams (clients in a child process, one channel each), ${FLOOR_RUNS_PER_ROUND} runs after a warm-up at the start of each round, when no cluster runs (median of ${floorRuns.length} runs); bare one-script withdraw of ${AGENTS} entries on each run's own redis-server just before its SIGTERM (median of the runs' medians, 5 runs each).`,
      `Clocks: SIGTERM is taken in this process and agentk's kas.goaway / tunnels.ready carry wallMs, both performance.timeOrigin + performance.now() of their process; a fresh child's such clock was measured against this one by IPC ping in every floor run: at most ${clockErrorMs.toFixed(2)} ms apart (offset + error). kas's trace times are its monotonic clock placed on the wall clock by app.starting's Date.now() (±0.5 ms). "Entries gone" by the outside read is the moment the first read finding none of A's 256 index keys came back (an upper bound, within ${PROBE_INTERVAL_MS} ms + one round trip).`,
    ],
  };
}

function isComplete(run: ShutdownRun, values: readonly number[]): boolean {
  return values.length === run.agents;
}

/** The last value, when every agent has one. */
function complete(run: ShutdownRun, values: readonly number[]): number | undefined {
  return isComplete(run, values) ? values.at(-1) : undefined;
}
