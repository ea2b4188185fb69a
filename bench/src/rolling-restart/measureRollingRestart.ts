import {
  LoadGenerator,
  type LocalCluster,
  type ReplicaBudgets,
  restartReplica,
  type StopOrder,
  shutdownNumbers,
  startLocalCluster,
} from '@kas/demo';

/** The shape of one rolling restart. */
export interface RollingRestartOptions {
  readonly stopOrder: StopOrder;
  readonly replicas: number;
  readonly agentkProcesses: number;
  readonly agentsPerProcess: number;
  readonly budgets: ReplicaBudgets;
  /** Load before the first restart and between two restarts. */
  readonly steadyMs: number;
}

/** One replica's restart, in ms after its SIGTERM. */
export interface RestartFigures {
  readonly replica: string;
  /** The agents on it at SIGTERM. */
  readonly agents: number;
  /** SIGTERM → each agent's tunnels live on another replica (agents that moved). */
  readonly reconnectMs: readonly number[];
  /** SIGTERM → the replica's entries gone from Redis (read every 20 ms). */
  readonly advertisedMs: number | undefined;
  /** The longest an agent of it was reachable by no replica (entry gone, tunnels elsewhere not yet live). */
  readonly unreachableMaxMs: number | undefined;
  readonly exitMs: number | undefined;
  readonly exitCode: number | null | undefined;
}

/** A short request of the load: how long it took and whether it failed. */
export interface RequestOutcome {
  readonly durationMs: number;
  readonly isOk: boolean;
  /** Why it failed (the agent's id replaced by `<agent>`). */
  readonly error?: string;
}

/** What one rolling restart measured. */
export interface RollingRestartRun {
  readonly stopOrder: StopOrder;
  readonly restarts: readonly RestartFigures[];
  /** Short requests started from the first SIGTERM until the load stopped. */
  readonly requests: readonly RequestOutcome[];
  readonly watchesOpened: number;
  /** Watches a replica's stop ended (a drain cut), opened again by the load. */
  readonly watchesEndedByServer: number;
  readonly durationMs: number;
}

/**
 * One headless run of the demo's scenario: a local cluster (Redis, replicas behind the load balancer,
 * agentk processes, the fake API), client-node load through the load balancer (short requests in loops
 * and long watches), then each replica restarted in turn (SIGTERM, watched until it exited and its agents
 * moved, started again and ready), the load kept running throughout.
 */
export async function measureRollingRestart(options: RollingRestartOptions): Promise<RollingRestartRun> {
  const startedAt = performance.now();
  const cluster = await startLocalCluster({
    replicas: options.replicas,
    agentkProcesses: options.agentkProcesses,
    agentsPerProcess: options.agentsPerProcess,
    stopOrder: options.stopOrder,
    budgets: options.budgets,
  });
  const load = loadOn(cluster);
  try {
    load.start();
    await pause(options.steadyMs);
    const restarts: RestartFigures[] = [];
    let firstSigtermAtMs: number | undefined;
    for (const replica of cluster.replicas) {
      const report = await restartReplica(cluster, replica.id);
      firstSigtermAtMs ??= report.sigtermAtMs;
      const numbers = shutdownNumbers(report);
      restarts.push({
        replica: replica.id,
        agents: report.agents.length,
        reconnectMs: report.agents.flatMap((agent) =>
          agent.readyElsewhereAtMs === undefined ? [] : [agent.readyElsewhereAtMs - report.sigtermAtMs],
        ),
        advertisedMs: report.agents.length === 0 ? undefined : numbers.advertisedMs,
        unreachableMaxMs: numbers.unreachableMaxMs,
        exitMs: numbers.exitMs,
        exitCode: report.exitCode,
      });
      await pause(options.steadyMs);
    }
    await load.stop();
    const stats = load.stats();
    return {
      stopOrder: options.stopOrder,
      restarts,
      requests: load.requests
        .filter((request) => request.startedAtMs >= (firstSigtermAtMs ?? 0))
        .map((request) => ({
          durationMs: request.endedAtMs - request.startedAtMs,
          isOk: request.isOk,
          ...(request.error === undefined
            ? {}
            : { error: request.error.replace(/"agent-[\d-]+"/g, '"<agent>"') }),
        })),
      watchesOpened: stats.watchesOpened,
      watchesEndedByServer: stats.watchesEndedByServer,
      durationMs: performance.now() - startedAt,
    };
  } finally {
    await load.stop(1_000);
    await cluster.stop();
  }
}

/** The demo's load: 20 short requests (list pods) a second and 6 watches, through the load balancer. */
function loadOn(cluster: LocalCluster): LoadGenerator {
  return new LoadGenerator({
    server: cluster.loadBalancer.url,
    caPem: cluster.caPem,
    agents: cluster.agentIds,
    userToken: cluster.userToken,
    requestsPerSecond: 20,
    watches: 6,
  });
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
