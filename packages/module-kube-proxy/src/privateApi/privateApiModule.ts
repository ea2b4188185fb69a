import { createToken, defineModule } from '@kas/core';
import { ReplicaIdentityToken } from '@kas/module-tunnel-tracker';
import { AGENT_GRPC_SERVER, AGENT_TUNNELS, TUNNEL_TRACKER, TunnelRegistryToken } from '@kas/tunnel-protocol';
import type { PrivateApiConfig } from '../config/privateApiConfigSchema.js';
import { resolvePrivateApiConfig } from '../config/resolvePrivateApiConfig.js';
import { KUBE_PROXY, PRIVATE_API } from '../moduleRefs.js';
import { type PrivateApiInfo, PrivateApiServer } from './PrivateApiServer.js';

/** The running private API: its bound address and its forwarded-request counts. */
export const PrivateApiToken = createToken<PrivateApiInfo>('private-api.server');

/**
 * The `private-api` module: the gRPC listener other replicas forward requests to, for agents whose
 * tunnels are on this replica. It provides this replica's identity (`ReplicaIdentityToken`), so the tunnel
 * tracker advertises the address where the private API is reached. Parses `config` with `privateApiConfigSchema` at once
 * (throws `KAS_PRIVATE_API_CONFIG_INVALID` naming each bad key and what it expects).
 *
 * @example
 * privateApiModule({ replicaId: 'kas-0', listen: '0.0.0.0:8155', advertiseAddress: '10.0.3.7:8155', secret });
 */
export function privateApiModule(config: PrivateApiConfig) {
  const resolved = resolvePrivateApiConfig(config);
  return defineModule({
    name: PRIVATE_API,
    // Forwarded requests are user traffic: they drain in the kube proxy's stage, which begins with the
    // agent edge and may end much later. Left at the default, this module (started after the agent gRPC
    // server) would stop before it, and the agent edge would wait for this drain: the pre-fix bug.
    stop: { with: [KUBE_PROXY], alongside: [AGENT_GRPC_SERVER, TUNNEL_TRACKER] },
    drainBudget: resolved.drainBudgetMs,
    uses: [AGENT_TUNNELS], // forwarded requests in flight run through this replica's tunnels
    needs: { registry: TunnelRegistryToken },
    provides: { replica: ReplicaIdentityToken, server: PrivateApiToken },
    create: ({ registry, log }) => {
      const server = new PrivateApiServer(resolved, registry, log);
      return {
        provides: { replica: server.identity, server },
        start: () => server.start(),
        stop: (ctx) => server.stop(ctx),
      };
    },
  });
}
