import { join } from 'node:path';
import { writeKubeconfig } from '@kas/fake-kube-api';
import { MemoryTunnelTable } from '@kas/module-tunnel-tracker';
import { eventually, spawnKubectl } from '@kas/testkit';
import type { KubeProxyConfig } from '../../src/index.js';
import { aliceToken } from './identities.js';
import {
  type KubeApiUpstream,
  startAgent,
  startCluster,
  type TestAgent,
  type TestCluster,
} from './startCluster.js';
import { type KasReplica, startKasReplica } from './startKasReplica.js';

/** One replica with agent-1 connected, a running pod `web-0`, and a kubeconfig that reaches it as alice. */
export interface PodReplica {
  readonly cluster: TestCluster;
  readonly replica: KasReplica;
  readonly agent: TestAgent;
  readonly kubeconfigPath: string;
  /** Stops the agent, the replica and the cluster. */
  stop(): Promise<void>;
}

/**
 * Creates the running pod `web-0` in the cluster's API and writes a kubeconfig that reaches it as alice
 * (agent-1) through the kube proxy at `server`; returns the kubeconfig's path.
 */
export async function addRunningPod(cluster: TestCluster, server: string): Promise<string> {
  cluster.api.objects.create('pods', {
    metadata: { name: 'web-0' },
    spec: { containers: [{ name: 'app', image: 'app:1' }] },
    status: { phase: 'Running' },
  });
  return writeKubeconfig({
    path: join(cluster.dir, 'kubeconfig'),
    server,
    caPem: cluster.certificates.ca.cert,
    token: aliceToken('agent-1'),
  });
}

/** Starts a {@link PodReplica} whose kube proxy has `kubeProxy` on top of the test defaults. */
export async function startPodReplica(kubeProxy: Partial<KubeProxyConfig>): Promise<PodReplica> {
  const { cluster, holder, agent, kubeconfigPath, stop } = await startRoutedPod('local', kubeProxy);
  return { cluster, replica: holder, agent, kubeconfigPath, stop };
}

/** How a user's request reaches the replica holding agent-1: on it, or through a second one that forwards. */
export type PodRoute = 'local' | 'remote';

/**
 * The replica holding agent-1's tunnels (`holder`) and the one a user's kubeconfig reaches (`entry`):
 * the same replica for `'local'`, a second one sharing the tunnel directory, which forwards to the
 * holder, for `'remote'`; with a running pod `web-0` and a kubeconfig for `entry` as alice.
 */
export interface RoutedPod {
  readonly cluster: TestCluster;
  readonly holder: KasReplica;
  readonly entry: KasReplica;
  readonly agent: TestAgent;
  readonly kubeconfigPath: string;
  /** Stops the agent, the replicas and the cluster (what is stopped already is skipped). */
  stop(): Promise<void>;
}

/** Starts a {@link RoutedPod}; every kube proxy has `kubeProxy` on top of the test defaults. */
export async function startRoutedPod(
  route: PodRoute,
  kubeProxy: Partial<KubeProxyConfig> = {},
  /** What agentk reaches instead of the cluster's API (a relay in between, say). Default: the API. */
  upstreamOf: (cluster: TestCluster) => Promise<KubeApiUpstream> | KubeApiUpstream = (cluster) =>
    cluster.upstream,
): Promise<RoutedPod> {
  const cluster = await startCluster();
  const table = new MemoryTunnelTable();
  const replica = (replicaId: string) =>
    startKasReplica({ replicaId, tls: cluster.certificates.server, directory: { table }, kubeProxy });
  const holder = await replica('kas-a');
  const entry = route === 'local' ? holder : await replica('kas-b');
  const agent = await startAgent(await upstreamOf(cluster), [holder.agentAddress]);
  await eventually(() => holder.registry.hasAgent('agent-1'));
  const kubeconfigPath = await addRunningPod(cluster, entry.proxy.url);
  return {
    cluster,
    holder,
    entry,
    agent,
    kubeconfigPath,
    async stop() {
      await agent.app.stop();
      if (entry !== holder) await entry.kas.stop();
      await holder.kas.stop();
      await cluster.stop();
    },
  };
}

/**
 * An interactive `kubectl exec -i web-0 -- cat` through the pod's kubeconfig, with one line echoed (the
 * session is open end to end); the caller ends it.
 */
export async function openCatSession(pod: RoutedPod): Promise<ReturnType<typeof spawnKubectl>> {
  const session = spawnKubectl(pod.cluster.dir, pod.kubeconfigPath, ['exec', '-i', 'web-0', '--', 'cat'], {
    stdin: 'pipe',
  });
  session.child.stdin?.write('before the cut\n');
  await session.waitForLine((line) => line.text === 'before the cut', 15_000);
  return session;
}
