import { createToken } from '@kas/core';
import type { TunnelRegistry } from './TunnelRegistry.js';

/**
 * The DI token of the local tunnel registry. `agent-grpc-server` provides it; the tunnel tracker and the
 * kube proxy need it, and depend on this package rather than on the server module.
 */
export const TunnelRegistryToken = createToken<TunnelRegistry>('agent-grpc-server.tunnel-registry');
