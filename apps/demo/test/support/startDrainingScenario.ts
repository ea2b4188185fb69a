import type { LifecycleSnapshot, StageSnapshot } from '@kas/core/snapshot';
import { eventually } from '@kas/testkit';
import {
  type KasReplica,
  type LocalCluster,
  startLocalCluster,
  startWatch,
  type WatchHandle,
} from '../../src/index.js';

/** A replica about to stop with a watch in flight through its kube proxy and no agent of its own. */
export interface DrainingScenario {
  readonly cluster: LocalCluster;
  /** `kas-b`: it serves the watch by forwarding to `kas-a`, which holds the agent. */
  readonly replica: KasReplica;
  /** `http://host:port` of its observability listener (debug on). */
  readonly observabilityUrl: string;
  /** Its stop stages, from its snapshot before the stop. */
  readonly agentEdge: StageSnapshot;
  readonly userTraffic: StageSnapshot;
  readonly watch: WatchHandle;
  /** Stops everything the scenario started. */
  stop(): Promise<void>;
}

/** The kube proxy's drain budget: long, so the test decides when the drain ends (by ending the watch). */
export const PROXY_DRAIN_BUDGET_MS = 120_000;

/**
 * Two replicas sharing Redis, one agent on `kas-a`, and a watch through `kas-b`'s kube proxy (forwarded
 * to `kas-a` through the private API). A SIGTERM to `kas-b` then shows the stop plan's point: its agent
 * edge completes at once while its user traffic drains the watch for as long as the watch lasts.
 */
export async function startDrainingScenario(): Promise<DrainingScenario> {
  const cluster = await startLocalCluster({
    replicas: 2,
    agentkProcesses: 1,
    agentsPerProcess: 1,
    agentPlacement: 'first-replica',
    budgets: { drainBudgetMs: PROXY_DRAIN_BUDGET_MS, listenGraceMs: 500 },
  });
  try {
    const replica = cluster.replica('kas-b');
    const agent = cluster.agentIds[0] as string;
    const watch = startWatch(
      { server: replica.kubeProxyUrl, caPem: cluster.caPem, token: cluster.userToken(agent) },
      agent,
    );
    await eventually(() => watch.record.events > 0, { timeoutMs: 20_000 });
    const observabilityUrl = `http://127.0.0.1:${replica.ports.observability}`;
    const snapshot = (await (await fetch(`${observabilityUrl}/debug/lifecycle`)).json()) as LifecycleSnapshot;
    const stopStage = (member: string) =>
      snapshot.stages.find(
        (stage) => stage.phase === 'stop' && stage.members.includes(member),
      ) as StageSnapshot;
    return {
      cluster,
      replica,
      observabilityUrl,
      agentEdge: stopStage('agent-grpc-server'),
      userTraffic: stopStage('kube-proxy'),
      watch,
      async stop() {
        watch.abort();
        await cluster.stop();
      },
    };
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}
