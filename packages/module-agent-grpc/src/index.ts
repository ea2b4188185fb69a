export { AgentGrpcServerToken, agentGrpcServerModule, TunnelRegistryToken } from './agentGrpcServerModule.js';
export {
  AGENT_GRPC_SERVER_DEFAULTS,
  type AgentGrpcServerConfig,
  MIN_MAX_MESSAGE_BYTES,
  type PemSource,
} from './config/AgentGrpcServerConfig.js';
export { AgentGrpcError } from './errors/AgentGrpcError.js';
export { AGENT_GRPC_ERROR_CODES, type AgentGrpcErrorCode } from './errors/errorCodes.js';
export {
  Header,
  RequestFrame,
  RequestHead,
  ResponseError,
  ResponseFrame,
  ResponseHead,
} from './proto/generated/kas/http/v1/http.js';
export {
  AgentDescriptor,
  AgentMessage,
  ReverseTunnelServiceService,
} from './proto/generated/kas/tunnel/v1/tunnel.js';
export { PROTO_DIRECTORY } from './proto/protoDirectory.js';
export { createReverseTunnelMethod, type ReverseTunnelMethod } from './proto/reverseTunnelMethod.js';
export { FrameOrder, type FrameParts, type FrameViolation } from './protocol/FrameOrder.js';
export {
  createDeserializer,
  createSerializer,
  EMPTY_BODY,
  type MessageCodec,
  UndecodableMessage,
} from './protocol/frameCodec.js';
export { fromHeaderList, type HeaderRecord, HOP_BY_HOP_HEADERS, toHeaderList } from './protocol/headers.js';
export {
  MAX_BODY_FRAME_BYTES,
  RequestBodyPump,
  type RequestBodyPumpHandlers,
  type RequestFrameSink,
} from './protocol/RequestBodyPump.js';
export type {
  Tunnel,
  TunnelRegistry,
  TunnelRegistryEvents,
  TunnelRequest,
  TunnelResponse,
} from './registry/TunnelRegistry.js';
export { type AgentCredential, sha256Hex } from './server/AgentAuthenticator.js';
export type { AgentGrpcServerInfo } from './server/AgentGrpcServer.js';
export type { TunnelCounterName } from './server/TunnelCounters.js';
