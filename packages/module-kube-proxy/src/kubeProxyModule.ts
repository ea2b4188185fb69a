import { createToken, defineModule } from '@kas/core';
import { TunnelDirectoryToken } from '@kas/module-tunnel-tracker';
import { AGENT_GRPC_SERVER, AGENT_TUNNELS, TUNNEL_TRACKER, TunnelRegistryToken } from '@kas/tunnel-protocol';
import { UserAuthenticator } from './auth/UserAuthenticator.js';
import type { KubeProxyConfig } from './config/kubeProxyConfigSchema.js';
import { resolveKubeProxyConfig } from './config/resolveKubeProxyConfig.js';
import { ReplicaForwarder } from './forward/ReplicaForwarder.js';
import { InFlightRequests } from './http/InFlightRequests.js';
import { type KubeProxyInfo, KubeProxyServer } from './http/KubeProxyServer.js';
import { UpgradeLimits } from './http/UpgradeLimits.js';
import { type KubeProxyMetrics, ProxyCounters } from './metrics/KubeProxyMetrics.js';
import { KUBE_PROXY } from './moduleRefs.js';
import { AgentArrivals } from './routing/AgentArrivals.js';
import { CachedDirectory } from './routing/CachedDirectory.js';
import { TunnelRouter } from './routing/TunnelRouter.js';

/** The running kube proxy: its address and readiness. */
export const KubeProxyToken = createToken<KubeProxyInfo>('kube-proxy.server');

/** The kube proxy's metrics hooks (requests by status and route, durations, in flight, cut at drain end). */
export const KubeProxyMetricsToken = createToken<KubeProxyMetrics>('kube-proxy.metrics');

/**
 * The `kube-proxy` module: the Kubernetes API of every agent, over tunnels, for kubectl and other
 * Kubernetes clients. Needs the agent gRPC server's tunnel registry and the tunnel tracker's directory.
 * Parses `config` with `kubeProxyConfigSchema` at once, filling in defaults; throws
 * `KAS_KUBE_PROXY_CONFIG_INVALID` naming each bad key and what it expects.
 *
 * @example
 * kubeProxyModule({
 *   listen: '0.0.0.0:8443',
 *   tls: { cert: { file: '/etc/kas/tls.crt' }, key: { file: '/etc/kas/tls.key' } },
 *   users: [{ name: 'alice', tokenSha256, agents: ['agent-1'] }],
 *   privateApiSecret,
 * });
 */
export function kubeProxyModule(config: KubeProxyConfig) {
  const resolved = resolveKubeProxyConfig(config);
  return defineModule({
    name: KUBE_PROXY,
    startAfter: [AGENT_GRPC_SERVER, TUNNEL_TRACKER],
    // Its own stage, beginning with the agent edge's: agents get GOAWAY and move at once while requests
    // in flight here (watches for up to the drain budget) finish. Stopping first would hold the agent edge
    // back for the whole drain: the pre-fix bug.
    stop: { alongside: [AGENT_GRPC_SERVER, TUNNEL_TRACKER] },
    drainBudget: resolved.drainBudgetMs,
    uses: [AGENT_TUNNELS], // requests in flight run through tunnels of agent-grpc-server
    needs: { registry: TunnelRegistryToken, directory: TunnelDirectoryToken },
    provides: { proxy: KubeProxyToken, metrics: KubeProxyMetricsToken },
    create: ({ registry, directory, log }) => {
      const inFlight = new InFlightRequests();
      const upgradeLimits = new UpgradeLimits(resolved.maxUpgradesPerAgent, resolved.maxUpgradesPerUser);
      const counters = new ProxyCounters(inFlight, upgradeLimits);
      const forwarder = new ReplicaForwarder(
        resolved.privateApiSecret,
        resolved.privateApiConnectTimeoutMs,
        resolved.privateApiTls,
      );
      // A busy agent's requests reuse one look-up for as long as a waiting request polls.
      const lookups = new CachedDirectory(directory, resolved.directoryPollIntervalMs);
      const arrivals = new AgentArrivals(registry, lookups, resolved.directoryPollIntervalMs, log);
      const router = new TunnelRouter(registry, lookups, arrivals, forwarder, resolved.tunnelWaitMs, log);
      const authenticator = new UserAuthenticator(resolved.users);
      const server = new KubeProxyServer(
        resolved,
        authenticator,
        router,
        counters,
        inFlight,
        upgradeLimits,
        log,
      );
      return {
        provides: { proxy: server, metrics: counters },
        start: async () => {
          await forwarder.start();
          await server.start();
        },
        stop: async (ctx) => {
          try {
            await server.stop(ctx);
          } finally {
            arrivals.dispose();
            forwarder.close();
          }
        },
      };
    },
  });
}
