import type { StopOrder } from '../cluster/KasReplica.js';

/** One agent that was on the stopping replica: when it saw GOAWAY and when it was live elsewhere. */
export interface AgentMove {
  readonly agent: string;
  /** Wall-clock ms of its `kas.goaway` from the stopping replica. */
  readonly goawayAtMs: number | undefined;
  /** Wall-clock ms of its first `tunnels.ready` on another replica after the SIGTERM. */
  readonly readyElsewhereAtMs: number | undefined;
  /** The replica it moved to. */
  readonly movedTo: string | undefined;
}

/** What one replica shutdown looked like from the outside (agentk logs, Redis) and from its own log. */
export interface ShutdownReport {
  readonly replica: string;
  readonly stopOrder: StopOrder;
  /** Wall-clock ms when SIGTERM was sent; every other time is wall-clock ms too. */
  readonly sigtermAtMs: number;
  /** The agents on the replica at SIGTERM. */
  readonly agents: readonly AgentMove[];
  /** First read of Redis after SIGTERM that showed none of the replica's entries. */
  readonly withdrawnAtMs: number | undefined;
  /** The replica's own `tunnels.withdrawn` mark (pino `time`, ms). */
  readonly withdrawMarkAtMs: number | undefined;
  /** The replica's own `goaway.sent` mark. */
  readonly goawayMarkAtMs: number | undefined;
  /** When kube-proxy finished its stop (drained or cut), from the replica's log. */
  readonly proxyStoppedAtMs: number | undefined;
  /** The kube proxy's `drain.cut` mark, when its drain budget cut requests. */
  readonly proxyDrainCutAtMs: number | undefined;
  /** When the process exited, and how. */
  readonly exitedAtMs: number | undefined;
  readonly exitCode: number | null | undefined;
  readonly traceFile: string;
}

/** The numbers of a shutdown that the demo's summary prints, in ms after SIGTERM. */
export interface ShutdownNumbers {
  readonly agents: number;
  /** Agents that had live tunnels elsewhere by the end of the measurement. */
  readonly agentsMoved: number;
  /** SIGTERM → every agent live on another replica: the slowest, and the 99th percentile (nearest rank). */
  readonly reconnectMaxMs: number | undefined;
  readonly reconnectP99Ms: number | undefined;
  /** SIGTERM → the replica's entries gone from Redis (as read from Redis). */
  readonly advertisedMs: number | undefined;
  /**
   * The longest an agent of this replica was reachable by no replica: from its entry's removal to its
   * tunnels on another replica (0 when it moved before the entry went).
   */
  readonly unreachableMaxMs: number | undefined;
  /** SIGTERM → kube-proxy stopped (its drain). */
  readonly proxyDrainMs: number | undefined;
  readonly exitMs: number | undefined;
}

/** Turns a report into the summary's numbers. */
export function shutdownNumbers(report: ShutdownReport): ShutdownNumbers {
  const since = (atMs: number | undefined) => (atMs === undefined ? undefined : atMs - report.sigtermAtMs);
  const moved = report.agents.flatMap((agent) =>
    agent.readyElsewhereAtMs === undefined ? [] : [agent.readyElsewhereAtMs - report.sigtermAtMs],
  );
  const isComplete = moved.length === report.agents.length && moved.length > 0;
  const sorted = [...moved].sort((a, b) => a - b);
  const withdrawnAt = report.withdrawnAtMs;
  return {
    agents: report.agents.length,
    agentsMoved: moved.length,
    reconnectMaxMs: isComplete ? sorted.at(-1) : undefined,
    reconnectP99Ms: isComplete ? sorted[Math.ceil(0.99 * sorted.length) - 1] : undefined,
    advertisedMs: since(withdrawnAt),
    unreachableMaxMs:
      isComplete && withdrawnAt !== undefined
        ? Math.max(0, ...report.agents.map((agent) => (agent.readyElsewhereAtMs as number) - withdrawnAt))
        : undefined,
    proxyDrainMs: since(report.proxyStoppedAtMs),
    exitMs: since(report.exitedAtMs),
  };
}
