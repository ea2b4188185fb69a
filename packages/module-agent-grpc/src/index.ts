import { createToken } from '@kas/core';
import type { TunnelRegistry } from './registry/TunnelRegistry.js';

export type {
  Tunnel,
  TunnelRegistry,
  TunnelRegistryEvents,
  TunnelRequest,
  TunnelResponse,
} from './registry/TunnelRegistry.js';

/** The local tunnel registry of `agent-grpc-server`. */
export const TunnelRegistryToken = createToken<TunnelRegistry>('agent-grpc-server.tunnel-registry');
