import { createModuleRef, createResourceTag } from '@kas/core';

/**
 * The agent-facing gRPC server's module name. Here, with the other contracts, so that the tunnel tracker
 * and the kube proxy name it in their declarations without depending on the server module;
 * `@kas/module-agent-grpc` exports it too.
 */
export const AGENT_GRPC_SERVER = createModuleRef('agent-grpc-server');

/** The tunnel tracker's module name (`@kas/module-tunnel-tracker` exports it too). */
export const TUNNEL_TRACKER = createModuleRef('tunnel-tracker');

/**
 * Agents' reverse tunnels, as a resource tag: `agent-grpc-server` accepts them, `tunnel-tracker`
 * advertises them to other replicas, the kube proxy's and the private API's requests in flight use them.
 */
export const AGENT_TUNNELS = createResourceTag('agent-tunnels');
