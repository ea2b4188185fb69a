export { Agent, type AgentEvents, type AgentOptions, REGISTER_TIMEOUT_MS } from './agent/Agent.js';
export { AGENT_SERVICES, AgentTunnel, type AgentTunnelState } from './agent/AgentTunnel.js';
export { BACKOFF_DEFAULTS, Backoff, type BackoffOptions } from './agent/Backoff.js';
export { KasConnection, type KasConnectionOptions } from './agent/KasConnection.js';
export { AgentkAgentsToken, agentkModule, kasCredentials } from './agentkModule.js';
export { type AgentkArgs, agentkCommand, parseAgentkArgs } from './cli/parseAgentkArgs.js';
export {
  AGENTK_DEFAULTS,
  type AgentIdentity,
  type AgentkOptions,
  agentkOptionsSchema,
} from './config/agentkOptionsSchema.js';
export { loadAgentkOptions } from './config/loadAgentkOptions.js';
export { AgentkError } from './errors/AgentkError.js';
export { AGENTK_ERROR_CODES, type AgentkErrorCode } from './errors/errorCodes.js';
export { KubeApiUpstream, type KubeApiUpstreamOptions } from './upstream/KubeApiUpstream.js';
export { ResponseFrameWriter } from './upstream/ResponseFrameWriter.js';
export { EARLY_BYTES_LIMIT, UpgradeExchange } from './upstream/UpgradeExchange.js';
export { type ExchangeCall, type ExchangeOutcome, UpstreamExchange } from './upstream/UpstreamExchange.js';
export { AGENTK_VERSION } from './version.js';
