import type { StopOrder } from '@kas/demo';
import type { Benchmark, BenchmarkRow } from '../Benchmark.js';
import {
  type GoawayTimes,
  measureBareGoawayFloor,
  measureBareReconnectFloor,
  type ReconnectTimes,
} from '../floors/index.js';
import { median } from '../floors/median.js';
import {
  type AgentClients,
  type CpuUser,
  measureShutdownRun,
  type ShutdownRun,
} from './measureShutdownRun.js';

const AGENTS = 500;
const TUNNELS_PER_AGENT = 2;
/**
 * How the agents are laid out over client processes: all in one (as before: its event loop queues every
 * agent's GOAWAY and reconnection), and spread over several (each process plays fewer agents, so what
 * the agents see is nearer to what kas does). The floors are measured with the same layouts.
 */
const LAYOUTS = [1, 5] as const;
type Layout = (typeof LAYOUTS)[number];
/**
 * Holds the watch (and, in the legacy order, the agents) far longer than the current order's whole move
 * takes, yet lets legacy runs complete.
 */
const DRAIN_BUDGET_MS = 10_000;
/** Rounds of (floors, current order in each layout, legacy in one process); the order inside alternates. */
const ROUNDS = 2;
const GOAWAY_FLOOR_RUNS_PER_ROUND = 2;
const RECONNECT_FLOOR_RUNS_PER_ROUND = 1;
/** Cold floor runs start fresh processes each (5–6 of them with five client processes): one per round. */
const COLD_GOAWAY_FLOOR_RUNS_PER_ROUND = 1;
const PROBE_INTERVAL_MS = 2;
const CAP_MS: Readonly<Record<StopOrder, number>> = { current: 10_000, legacy: DRAIN_BUDGET_MS + 10_000 };
const CPU_USERS: readonly CpuUser[] = ['agentk', 'kas A', 'kas B', 'redis', 'benchmark'];
const GOALS = { goawayRatio: 1.5, withdrawRatio: 2, reconnectRatio: 1.3 } as const;

/** One kas run's kind: the stop order, how many client processes play the agents, and which clients. */
interface RunKind {
  readonly stopOrder: StopOrder;
  readonly agentkProcesses: Layout;
  readonly agentClients: AgentClients;
}
/**
 * agentk runs show the whole move; floor-client runs (the GOAWAY floor's own clients, authenticated as
 * the agents, noting GOAWAY and doing nothing else) show GOAWAY with the client side as the floor has it,
 * so their ratio to the floor is what kas's server side adds.
 */
const RUN_KINDS: readonly RunKind[] = [
  { stopOrder: 'current', agentkProcesses: 1, agentClients: 'agentk' },
  { stopOrder: 'current', agentkProcesses: 5, agentClients: 'agentk' },
  { stopOrder: 'legacy', agentkProcesses: 1, agentClients: 'agentk' },
  { stopOrder: 'current', agentkProcesses: 1, agentClients: 'floor clients' },
  { stopOrder: 'current', agentkProcesses: 5, agentClients: 'floor clients' },
];

const ms = (value: number | undefined) =>
  value === undefined || Number.isNaN(value) ? '–' : value.toFixed(Math.abs(value) < 10 ? 2 : 1);
const inProcesses = (count: number) => (count === 1 ? '1 process' : `${count} processes`);

/**
 * Benchmark 1 of issue 9, with the fair floors of issue 17: how fast a stopping replica lets its agents
 * go, current vs legacy stop order, beside bare grpc-js floors measured in the same run with the same
 * layouts of client processes. 500 agents × 2 idle tunnels on replica A (real kas processes and agentk
 * processes, from `@kas/demo`'s local cluster), replica B, Redis, and a watch in flight through A's kube
 * proxy that holds A's drain; SIGTERM to A.
 */
export const shutdownReaction: Benchmark = {
  name: 'shutdown-reaction',
  description: `SIGTERM to a replica holding ${AGENTS} agents × ${TUNNELS_PER_AGENT} tunnels and a watch: GOAWAY, entries withdrawn, agents live elsewhere; current vs legacy order, agents in 1 or ${LAYOUTS[1]} processes, beside bare GOAWAY and reconnect floors`,
  async run() {
    const goawayFloors = new Map<Layout, GoawayTimes[]>(LAYOUTS.map((layout) => [layout, []]));
    const reconnectFloors = new Map<Layout, ReconnectTimes[]>(LAYOUTS.map((layout) => [layout, []]));
    const coldGoawayFloors = new Map<Layout, GoawayTimes[]>(LAYOUTS.map((layout) => [layout, []]));
    const coldReconnectFloors = new Map<Layout, ReconnectTimes[]>(LAYOUTS.map((layout) => [layout, []]));
    const clockErrors: number[] = [];
    const runs: ShutdownRun[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const layout of LAYOUTS) {
        process.stdout.write(
          `  round ${round + 1} of ${ROUNDS}: floors, clients in ${inProcesses(layout)}\n`,
        );
        const goaway = await measureBareGoawayFloor(AGENTS, {
          streamsPerConnection: TUNNELS_PER_AGENT,
          runs: GOAWAY_FLOOR_RUNS_PER_ROUND,
          clientProcesses: layout,
        });
        goawayFloors.get(layout)?.push(...goaway.runs);
        const reconnect = await measureBareReconnectFloor(AGENTS, {
          streamsPerConnection: TUNNELS_PER_AGENT,
          runs: RECONNECT_FLOOR_RUNS_PER_ROUND,
          clientProcesses: layout,
        });
        reconnectFloors.get(layout)?.push(...reconnect.runs);
        // The same in fresh processes (kas A and the agentk processes of a run are fresh: their
        // shutdown and GOAWAY code runs cold, the warm floors' after a warm-up run).
        const coldGoaway = await measureBareGoawayFloor(AGENTS, {
          streamsPerConnection: TUNNELS_PER_AGENT,
          runs: COLD_GOAWAY_FLOOR_RUNS_PER_ROUND,
          clientProcesses: layout,
          isCold: true,
        });
        coldGoawayFloors.get(layout)?.push(...coldGoaway.runs);
        const coldReconnect = await measureBareReconnectFloor(AGENTS, {
          streamsPerConnection: TUNNELS_PER_AGENT,
          runs: RECONNECT_FLOOR_RUNS_PER_ROUND,
          clientProcesses: layout,
          isCold: true,
        });
        coldReconnectFloors.get(layout)?.push(...coldReconnect.runs);
        clockErrors.push(
          goaway.clockErrorMs,
          reconnect.clockErrorMs,
          coldGoaway.clockErrorMs,
          coldReconnect.clockErrorMs,
        );
      }
      const kinds = round % 2 === 0 ? RUN_KINDS : [...RUN_KINDS].reverse();
      for (const kind of kinds) {
        process.stdout.write(
          `  round ${round + 1} of ${ROUNDS}: ${kind.stopOrder} order, ${kind.agentClients} in ${inProcesses(kind.agentkProcesses)}\n`,
        );
        runs.push(
          await measureShutdownRun({
            stopOrder: kind.stopOrder,
            agents: AGENTS,
            tunnelsPerAgent: TUNNELS_PER_AGENT,
            agentkProcesses: kind.agentkProcesses,
            agentClients: kind.agentClients,
            drainBudgetMs: DRAIN_BUDGET_MS,
            capMs: CAP_MS[kind.stopOrder],
            probeIntervalMs: PROBE_INTERVAL_MS,
          }),
        );
      }
    }
    return summarize(
      runs,
      { goaway: goawayFloors, reconnect: reconnectFloors },
      { goaway: coldGoawayFloors, reconnect: coldReconnectFloors },
      Math.max(...clockErrors),
    );
  },
};

type Figure = (run: ShutdownRun) => number | undefined;

/** The floors' runs by layout: warm (server in the benchmark's process, after a warm-up) or cold. */
interface FloorRuns {
  readonly goaway: ReadonlyMap<Layout, readonly GoawayTimes[]>;
  readonly reconnect: ReadonlyMap<Layout, readonly ReconnectTimes[]>;
}

/** A figure's floors: the warm one and the cold one. */
interface Floors {
  readonly warm: number;
  readonly cold: number;
}

function summarize(runs: readonly ShutdownRun[], warm: FloorRuns, cold: FloorRuns, clockErrorMs: number) {
  const of = (stopOrder: StopOrder, layout: Layout, clients: AgentClients = 'agentk') =>
    runs.filter(
      (run) => run.stopOrder === stopOrder && run.agentkProcesses === layout && run.agentClients === clients,
    );
  const stats = (stopOrder: StopOrder, layout: Layout, figure: Figure, clients: AgentClients) => {
    const values = of(stopOrder, layout, clients)
      .map(figure)
      .filter((value): value is number => value !== undefined);
    return {
      median: median(values),
      min: Math.min(...values),
      max: Math.max(...values),
      count: values.length,
    };
  };
  const goawayFloor = (layout: Layout, pick: (times: GoawayTimes) => number): Floors => ({
    warm: median((warm.goaway.get(layout) ?? []).map(pick)),
    cold: median((cold.goaway.get(layout) ?? []).map(pick)),
  });
  const reconnectFloor = (layout: Layout, pick: (times: ReconnectTimes) => number): Floors => ({
    warm: median((warm.reconnect.get(layout) ?? []).map(pick)),
    cold: median((cold.reconnect.get(layout) ?? []).map(pick)),
  });
  const withdrawFloor = median(runs.map((run) => run.bareWithdrawMs));
  const isMet = (ratio: number, limit: number) => (ratio <= limit ? 'met' : 'NOT met');
  const rows: BenchmarkRow[] = [];
  const goals: Record<
    string,
    { readonly value: number; readonly floor: number; readonly ratio: number; readonly coldRatio?: number }
  > = {};
  const row = (
    measure: string,
    layout: Layout,
    figure: Figure,
    floor?: number | Floors,
    goalLimit?: number,
    clients: AgentClients = 'agentk',
  ) => {
    const current = stats('current', layout, figure, clients);
    const legacy =
      layout === 1 && clients === 'agentk' ? stats('legacy', layout, figure, clients) : undefined;
    const agentsIn = clients === 'agentk' ? inProcesses(layout) : `${inProcesses(layout)}, ${clients}`;
    const range = (s: typeof current | undefined) =>
      s === undefined || s.count === 0 ? '–' : `${ms(s.min)}–${ms(s.max)}`;
    const floors = typeof floor === 'number' ? { warm: floor, cold: undefined } : floor;
    const ratio = floors === undefined ? undefined : current.median / floors.warm;
    const coldRatio = floors?.cold === undefined ? undefined : current.median / floors.cold;
    if (goalLimit !== undefined && ratio !== undefined && floors !== undefined) {
      goals[`${measure}, agents in ${agentsIn}`] = {
        value: current.median,
        floor: floors.warm,
        ratio,
        ...(coldRatio === undefined ? {} : { coldRatio }),
      };
    }
    const goal =
      goalLimit === undefined || ratio === undefined
        ? ''
        : `≤ ${goalLimit}×: ${isMet(ratio, goalLimit)}${coldRatio === undefined ? '' : `; cold: ${isMet(coldRatio, goalLimit)}`}`;
    rows.push({
      measure,
      'agents in': agentsIn,
      current: ms(current.median),
      'current min–max': range(current),
      legacy: ms(legacy?.median),
      'legacy min–max': range(legacy),
      floor: ms(floors?.warm),
      'current ÷ floor': ratio === undefined ? '' : `${ratio.toFixed(2)}×`,
      'cold floor': ms(floors?.cold),
      'current ÷ cold floor': coldRatio === undefined ? '' : `${coldRatio.toFixed(2)}×`,
      'goal (current)': goal,
    });
  };
  const nth = (values: readonly number[], fraction: number) =>
    values.length === 0 ? undefined : values[Math.ceil(fraction * values.length) - 1];
  /** The rows of kas's side up to GOAWAY, the same for agentk and for the floor's clients. */
  const goawayRows = (layout: Layout, clients: AgentClients) => {
    row('kas handled the signal (trace)', layout, (run) => run.signalMs, undefined, undefined, clients);
    row(
      'agent-grpc-server called tryShutdown (trace)',
      layout,
      (run) => run.goawaySentMs,
      undefined,
      undefined,
      clients,
    );
    const seen = [
      ['first', (run: ShutdownRun) => run.goawayMs[0], (t: GoawayTimes) => t.firstMs],
      ['median', (run: ShutdownRun) => nth(run.goawayMs, 0.5), (t: GoawayTimes) => t.medianMs],
      ['last', (run: ShutdownRun) => complete(run, run.goawayMs), (t: GoawayTimes) => t.lastMs],
    ] as const;
    for (const [which, figure, floor] of seen) {
      row(
        `${which} agent saw GOAWAY`,
        layout,
        figure,
        goawayFloor(layout, floor),
        which === 'last' ? GOALS.goawayRatio : undefined,
        clients,
      );
    }
  };
  const withdrawnRow = (layout: Layout, clients: AgentClients) =>
    row(
      "A's entries gone: tracker's withdrawn mark (trace)",
      layout,
      (run) => run.withdrawnMs,
      withdrawFloor,
      GOALS.withdrawRatio,
      clients,
    );
  for (const layout of LAYOUTS) {
    goawayRows(layout, 'agentk');
    row('tunnel-tracker began its withdraw (trace)', layout, (run) => run.trackerStoppingMs);
    row(
      'withdraw round trip, as the tracker timed it',
      layout,
      (run) => run.withdrawDurationMs,
      withdrawFloor,
    );
    withdrawnRow(layout, 'agentk');
    row(
      `A's entries gone: outside Redis read every ${PROBE_INTERVAL_MS} ms`,
      layout,
      (run) => run.redisGoneMs,
    );
    row(
      'first agent live on B',
      layout,
      (run) => run.liveOnBMs[0],
      reconnectFloor(layout, (t) => t.firstMs),
    );
    row(
      'median agent live on B',
      layout,
      (run) => (isComplete(run, run.liveOnBMs) ? nth(run.liveOnBMs, 0.5) : undefined),
      reconnectFloor(layout, (t) => t.medianMs),
    );
    row(
      '99th percentile agent live on B',
      layout,
      (run) => (isComplete(run, run.liveOnBMs) ? nth(run.liveOnBMs, 0.99) : undefined),
      reconnectFloor(layout, (t) => t.p99Ms),
    );
    row(
      'last agent live on B',
      layout,
      (run) => complete(run, run.liveOnBMs),
      reconnectFloor(layout, (t) => t.lastMs),
      GOALS.reconnectRatio,
    );
    for (const user of CPU_USERS) {
      row(`CPU ms of ${user} until the last agent was live on B`, layout, (run) => run.cpuMs[user]);
    }
    row('cores busy meanwhile (CPU of all of them ÷ wall time)', layout, (run) => {
      const used = CPU_USERS.map((user) => run.cpuMs[user]);
      return used.includes(undefined)
        ? undefined
        : (used as number[]).reduce((sum, value) => sum + value, 0) / run.cpuWindowMs;
    });
  }
  for (const layout of LAYOUTS) {
    const clients = 'floor clients';
    goawayRows(layout, clients);
    withdrawnRow(layout, clients);
    for (const user of CPU_USERS.filter((user) => user !== 'kas B')) {
      row(
        `CPU ms of ${user === 'agentk' ? 'the clients' : user} until the last agent saw GOAWAY`,
        layout,
        (run) => run.cpuMs[user],
        undefined,
        undefined,
        clients,
      );
    }
  }
  const held = (stopOrder: StopOrder, layout: Layout) =>
    `${of(stopOrder, layout).filter((run) => run.isWatchHeld).length} of ${of(stopOrder, layout).length}`;
  const incomplete = runs.filter(
    (run) =>
      (run.agentClients === 'agentk' && !isComplete(run, run.liveOnBMs)) || !isComplete(run, run.goawayMs),
  );
  const leftovers = runs.filter((run) => run.entriesLeft > 0);
  const floorCount = (layout: Layout) => warm.goaway.get(layout)?.length ?? 0;
  const reconnectCount = (layout: Layout) => warm.reconnect.get(layout)?.length ?? 0;
  return {
    columns: [
      'measure',
      'agents in',
      'current',
      'current min–max',
      'legacy',
      'legacy min–max',
      'floor',
      'current ÷ floor',
      'cold floor',
      'current ÷ cold floor',
      'goal (current)',
    ],
    rows,
    notes: [
      `Times in ms after the SIGTERM to A, unless the row says otherwise. CPU: user + system time from /proc/<pid>/stat (10 ms ticks) between the SIGTERM and the moment the last agent was live on B (agentk: all its processes together; the legacy window includes the drain, mostly idle; by then legacy's A has exited, so its CPU is not read).`,
      `${AGENTS} agents × ${TUNNELS_PER_AGENT} idle tunnels, all on replica A, played by one agentk process or spread over ${LAYOUTS[1]} (${AGENTS / LAYOUTS[1]} agents each); replica B, redis-server, a fake Kubernetes API; one client-node watch through A's kube proxy, in flight at SIGTERM, with a drain budget of ${DRAIN_BUDGET_MS / 1000} s (kube-proxy, private-api; agent-grpc-server: kas's default, 10 s more), so the legacy order, which sends GOAWAY only after the proxy's drain, completes within the run (cap ${CAP_MS.legacy / 1000} s; current cap ${CAP_MS.current / 1000} s). ${ROUNDS} rounds, each a fresh cluster per run (the order of the runs alternates): medians and min–max over ${of('current', 1).length} current runs per layout and ${of('legacy', 1).length} legacy runs (one process).`,
      `Rows "…, floor clients": the same run with the GOAWAY floor's own client processes in place of agentk (fresh ones each run, as the cold floor's), each connection authenticated as one of the ${AGENTS} agents with ${TUNNELS_PER_AGENT} tunnels (agentk's descriptor, no heartbeats); they note when each connection left READY and do nothing else (no move to B, no watch: no agent serves one, so A's kube proxy has nothing to drain). The client side is then the floor's, and the ratio to the floor is what kas's server side adds: the signal, the stop plan, the tracker's withdraw sent first, then grpc-js's tryShutdown. CPU in those rows: until the last connection saw GOAWAY. ${of('current', 1, 'floor clients').length} runs per layout.`,
      `Watch still held by A's drain when the last agent was live on B: current ${held('current', 1)} (1 process), ${held('current', LAYOUTS[1])} (${LAYOUTS[1]} processes); legacy ${held('legacy', 1)} (the drain cut it at the budget, then GOAWAY went out). ${incomplete.length === 0 ? 'Every agent saw GOAWAY and was live on B in every run.' : `${incomplete.length} run(s) ended at the cap with agents missing: their "last" figures are left out.`} ${leftovers.length === 0 ? "Redis held none of A's entries at the end of every run." : `${leftovers.length} run(s) left entries of A in Redis.`}`,
      `Floors, same run, at the start of each round when no cluster runs, with the clients laid out as the agents are: GOAWAY — a bare grpc-js server in this process holding ${AGENTS} connections × ${TUNNELS_PER_AGENT} idle streams, tryShutdown, until each client channel left READY (median of ${floorCount(1)} runs in 1 process, ${floorCount(LAYOUTS[1])} in ${LAYOUTS[1]}); reconnect — the same, and on GOAWAY each agent cancels its streams and, one agent per event-loop turn as agentk paces it, connects with ${TUNNELS_PER_AGENT} streams to a second bare server in a process of its own, until those streams have response metadata (median of ${reconnectCount(1)} and ${reconnectCount(LAYOUTS[1])} runs); cold floors — the same two, each run in fresh processes with no warm-up run (GOAWAY: median of ${cold.goaway.get(1)?.length ?? 0} runs per layout; reconnect: ${cold.reconnect.get(1)?.length ?? 0}): the server that shuts down in a process of its own and fresh client processes, as each kas run has a fresh replica A and fresh agentk processes whose shutdown and GOAWAY code has never run (the warm floors' server runs in this process and, like their clients, has run it before); withdraw — a bare one-script withdraw of ${AGENTS} entries on each run's own redis-server just before its SIGTERM (median of the runs' medians, 5 runs each).`,
      `Clocks: SIGTERM is taken in this process and agentk's kas.goaway / tunnels.ready carry wallMs, both performance.timeOrigin + performance.now() of their process; every floor child's such clock was measured against this one by IPC ping: at most ${clockErrorMs.toFixed(2)} ms apart (offset + error). kas's trace times are its monotonic clock placed on the wall clock by app.starting's Date.now() (±0.5 ms). "Entries gone" by the outside read is the moment the first read finding none of A's 256 index keys came back (an upper bound, within ${PROBE_INTERVAL_MS} ms + one round trip).`,
    ],
    goals,
  };
}

function isComplete(run: ShutdownRun, values: readonly number[]): boolean {
  return values.length === run.agents;
}

/** The last value, when every agent has one. */
function complete(run: ShutdownRun, values: readonly number[]): number | undefined {
  return isComplete(run, values) ? values.at(-1) : undefined;
}
