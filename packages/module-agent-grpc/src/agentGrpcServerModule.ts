import { parseConfig } from '@kas/config';
import { createToken, defineModule } from '@kas/core';
import { AGENT_GRPC_SERVER, AGENT_TUNNELS, TunnelRegistryToken } from '@kas/tunnel-protocol';
import {
  type AgentGrpcServerConfig,
  agentGrpcServerConfigSchema,
} from './config/agentGrpcServerConfigSchema.js';
import { AgentGrpcError } from './errors/AgentGrpcError.js';
import { AgentGrpcServer, type AgentGrpcServerInfo } from './server/AgentGrpcServer.js';

/** The running server: its bound address, connection and tunnel counts, counters. */
export const AgentGrpcServerToken = createToken<AgentGrpcServerInfo>('agent-grpc-server.server');

/**
 * The agent-facing gRPC server as a module. Checks `config` with `agentGrpcServerConfigSchema` at once
 * and fills in its defaults; throws `KAS_INVALID_CONFIG` naming each bad key and what it expects.
 *
 * @example
 * const app = createApp({
 *   modules: [agentGrpcServerModule({ listen: '0.0.0.0:8150', agents: [{ id: 'agent-1', tokenSha256 }] })],
 * });
 */
export function agentGrpcServerModule(config: AgentGrpcServerConfig) {
  const resolved = parseConfig(
    agentGrpcServerConfigSchema,
    config,
    (problems, cause) =>
      new AgentGrpcError(
        'KAS_INVALID_CONFIG',
        `agent-grpc-server config: ${problems}`,
        'correct each key named (see the Configuration section of the @kas/module-agent-grpc README)',
        { cause },
      ),
  );
  return defineModule({
    name: AGENT_GRPC_SERVER,
    accepts: [AGENT_TUNNELS], // agents dial in; stopping sends them GOAWAY
    drainBudget: resolved.drainBudget, // busy tunnels carry the kube proxy's in-flight requests
    provides: { registry: TunnelRegistryToken, server: AgentGrpcServerToken },
    create: ({ log }) => {
      const server = new AgentGrpcServer(resolved, log);
      return {
        provides: { registry: server.registry, server },
        start: () => server.start(),
        stop: (ctx) => server.stop(ctx),
      };
    },
  });
}
