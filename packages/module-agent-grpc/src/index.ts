// The module's name and the resource it accepts, as typed constants for other modules' declarations.
export { AGENT_GRPC_SERVER, AGENT_TUNNELS } from '@kas/tunnel-protocol';
export { AgentGrpcServerToken, agentGrpcServerModule } from './agentGrpcServerModule.js';
export {
  type AgentCredential,
  agentCredentialSchema,
  agentCredentialsSchema,
} from './config/agentCredentialsSchema.js';
export {
  type AgentGrpcServerConfig,
  agentGrpcServerConfigSchema,
  MIN_MAX_MESSAGE_BYTES,
  type ResolvedAgentGrpcServerConfig,
} from './config/agentGrpcServerConfigSchema.js';
export { AgentGrpcError } from './errors/AgentGrpcError.js';
export { AGENT_GRPC_ERROR_CODES, type AgentGrpcErrorCode } from './errors/errorCodes.js';
export { sha256Hex } from './server/AgentAuthenticator.js';
export type { AgentGrpcServerInfo } from './server/AgentGrpcServer.js';
export type { TunnelCounterName } from './server/TunnelCounters.js';
