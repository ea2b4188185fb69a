export { AgentGrpcServerToken, agentGrpcServerModule } from './agentGrpcServerModule.js';
export {
  AGENT_GRPC_SERVER_DEFAULTS,
  type AgentGrpcServerConfig,
  MIN_MAX_MESSAGE_BYTES,
} from './config/AgentGrpcServerConfig.js';
export { AgentGrpcError } from './errors/AgentGrpcError.js';
export { AGENT_GRPC_ERROR_CODES, type AgentGrpcErrorCode } from './errors/errorCodes.js';
export { type AgentCredential, sha256Hex } from './server/AgentAuthenticator.js';
export type { AgentGrpcServerInfo } from './server/AgentGrpcServer.js';
export type { TunnelCounterName } from './server/TunnelCounters.js';
