import type { LocalCluster } from '../cluster/startLocalCluster.js';
import { DemoError } from '../errors/DemoError.js';
import { ReplicaShutdown } from './ReplicaShutdown.js';
import type { ShutdownReport } from './ShutdownReport.js';

/**
 * A rolling-restart step: SIGTERM to one replica, watched until it exited and its agents moved, then the
 * same replica started again with the same config and ports, and resolved once the load balancer sees it
 * ready. `onStopping` gets the shutdown as soon as the signal is sent (for live progress). Once `signal`
 * is aborted the replica is not started again.
 */
export async function restartReplica(
  cluster: LocalCluster,
  replicaId: string,
  onStopping?: (shutdown: ReplicaShutdown) => void,
  signal?: AbortSignal,
): Promise<ShutdownReport> {
  const shutdown = await ReplicaShutdown.begin(cluster, replicaId);
  onStopping?.(shutdown);
  const timeoutMs = cluster.budgets.drainBudgetMs + 20_000;
  const report = await shutdown.finish(timeoutMs);
  if (report.exitedAtMs === undefined) {
    throw new DemoError(
      'KAS_DEMO_TIMEOUT',
      `replica ${replicaId} did not exit within ${timeoutMs}ms of SIGTERM`,
      'read its log lines: a drain may not respect its budget',
    );
  }
  signal?.throwIfAborted();
  await cluster.replica(replicaId).start();
  await cluster.loadBalancer.waitUntilReady(replicaId);
  return report;
}
