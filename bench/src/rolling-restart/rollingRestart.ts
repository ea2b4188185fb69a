import type { ReplicaBudgets, StopOrder } from '@kas/demo';
import type { Benchmark, BenchmarkRow } from '../Benchmark.js';
import { median } from '../floors/median.js';
import { measureRollingRestart, type RollingRestartRun } from './measureRollingRestart.js';

const REPLICAS = 3;
const AGENTK_PROCESSES = 3;
const AGENTS_PER_PROCESS = 10;
/**
 * Short budgets keep a run under half a minute. The drain outlasts the tunnel wait, as in production (1 h
 * against 5 s): a request that waits for an agent held by a draining legacy replica runs out of wait.
 */
const BUDGETS: ReplicaBudgets = { drainBudgetMs: 3_000, listenGraceMs: 1_000, tunnelWaitMs: 1_500 };
const STEADY_MS = 1_000;
/** Runs per order, interleaved: current, legacy, current, legacy. */
const RUNS_PER_ORDER = 2;

const ms = (value: number | undefined) => (value === undefined ? '–' : value.toFixed(0));

/**
 * Benchmark 6 of issue 9: the demo's rolling restart, headless, current vs legacy stop order: three
 * replicas behind the load balancer, 30 agents, client-node load (short requests and watches), each
 * replica restarted in turn. Failed requests, how long agents take to be live elsewhere, how long each
 * stopping replica stays advertised.
 */
export const rollingRestart: Benchmark = {
  name: 'rolling-restart',
  description: `the demo's rolling restart headless (${REPLICAS} replicas, ${AGENTK_PROCESSES * AGENTS_PER_PROCESS} agents, load through the load balancer): failed requests and agent reconnects, current vs legacy order`,
  async run() {
    const runs: RollingRestartRun[] = [];
    for (let run = 0; run < RUNS_PER_ORDER; run++) {
      for (const stopOrder of ['current', 'legacy'] as const) {
        process.stdout.write(`  run ${run + 1} of ${RUNS_PER_ORDER}: ${stopOrder} order\n`);
        runs.push(
          await measureRollingRestart({
            stopOrder,
            replicas: REPLICAS,
            agentkProcesses: AGENTK_PROCESSES,
            agentsPerProcess: AGENTS_PER_PROCESS,
            budgets: BUDGETS,
            steadyMs: STEADY_MS,
          }),
        );
      }
    }
    const rows = (['current', 'legacy'] as const).map((stopOrder) =>
      summarize(runs.filter((run) => run.stopOrder === stopOrder)),
    );
    return {
      columns: Object.keys(rows[0] as BenchmarkRow),
      rows,
      notes: [
        `Each run: a fresh local cluster from @kas/demo (redis-server, ${REPLICAS} kas processes behind a TCP load balancer probing readiness every 100 ms, ${AGENTK_PROCESSES} agentk processes × ${AGENTS_PER_PROCESS} agents × 2 idle tunnels, a fake Kubernetes API), budgets: drain ${BUDGETS.drainBudgetMs / 1000} s, listen grace ${BUDGETS.listenGraceMs / 1000} s, tunnel wait ${BUDGETS.tunnelWaitMs / 1000} s. Load through the load balancer with @kubernetes/client-node: 20 list-pods requests a second (sent on time whatever earlier ones do), spread round-robin over the agents, and 6 watches (reopened when a drain cuts them). Each replica in turn: SIGTERM, wait until it exited and its agents are live elsewhere, start it again, wait until the load balancer sees it ready, ${STEADY_MS / 1000} s of steady load. ${RUNS_PER_ORDER} runs per order, interleaved.`,
        '"requests": short requests started from the first SIGTERM on; "request p99/max": their durations, failed ones included. "reconnect": SIGTERM → an agent of the stopping replica live on another (every agent of every restart pooled; nearest-rank p99). "advertised": SIGTERM → the stopping replica\'s entries gone from Redis (read every 20 ms), median and worst restart. "unreachable": the longest an agent was advertised by no replica and live on none.',
        ...(['current', 'legacy'] as const).map(
          (stopOrder) =>
            `${stopOrder}: slowest reconnect of each restart, in order: ${runs
              .filter((run) => run.stopOrder === stopOrder)
              .map((run) =>
                run.restarts
                  .map((restart) =>
                    ms(restart.reconnectMs.length === 0 ? undefined : Math.max(...restart.reconnectMs)),
                  )
                  .join(', '),
              )
              .join(' | ')} ms.`,
        ),
        ...failureNotes(runs),
      ],
    };
  },
};

function summarize(runs: readonly RollingRestartRun[]): BenchmarkRow {
  const restarts = runs.flatMap((run) => run.restarts);
  const requests = runs.flatMap((run) => run.requests);
  const reconnects = restarts.flatMap((restart) => restart.reconnectMs).sort((a, b) => a - b);
  const durations = requests.map((request) => request.durationMs).sort((a, b) => a - b);
  const advertised = restarts.flatMap((restart) =>
    restart.advertisedMs === undefined ? [] : [restart.advertisedMs],
  );
  const unreachable = restarts.flatMap((restart) =>
    restart.unreachableMaxMs === undefined ? [] : [restart.unreachableMaxMs],
  );
  const agents = restarts.reduce((sum, restart) => sum + restart.agents, 0);
  const failed = requests.filter((request) => !request.isOk).length;
  return {
    order: runs[0]?.stopOrder ?? '',
    runs: runs.length,
    restarts: restarts.length,
    'agents moved': `${reconnects.length}/${agents}`,
    requests: requests.length,
    failed,
    'failed %': requests.length === 0 ? '–' : ((100 * failed) / requests.length).toFixed(1),
    'request p99 ms': ms(nearestRank(durations, 0.99)),
    'request max ms': ms(durations.at(-1)),
    'reconnect p50 ms': ms(nearestRank(reconnects, 0.5)),
    'reconnect p99 ms': ms(nearestRank(reconnects, 0.99)),
    'reconnect max ms': ms(reconnects.at(-1)),
    'advertised ms (median / max)': `${ms(advertised.length === 0 ? undefined : median(advertised))} / ${ms(advertised.length === 0 ? undefined : Math.max(...advertised))}`,
    'unreachable max ms': ms(unreachable.length === 0 ? undefined : Math.max(...unreachable)),
    'watches cut': runs.reduce((sum, run) => sum + run.watchesEndedByServer, 0),
  };
}

function nearestRank(sorted: readonly number[], fraction: number): number | undefined {
  return sorted.length === 0 ? undefined : sorted[Math.ceil(fraction * sorted.length) - 1];
}

/** The most frequent failure reasons of each order. */
function failureNotes(runs: readonly RollingRestartRun[]): string[] {
  return (['current', 'legacy'] as const).flatMap((stopOrder: StopOrder) => {
    const counts = new Map<string, number>();
    for (const run of runs.filter((candidate) => candidate.stopOrder === stopOrder)) {
      for (const request of run.requests) {
        if (!request.isOk)
          counts.set(request.error ?? 'unknown', (counts.get(request.error ?? 'unknown') ?? 0) + 1);
      }
    }
    if (counts.size === 0) return [`${stopOrder}: no request failed.`];
    const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 3);
    return [
      `${stopOrder}: failed requests by reason: ${top.map(([reason, count]) => `${count} × ${reason}`).join('; ')}.`,
    ];
  });
}
