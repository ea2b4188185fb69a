// @kas/tunnel-protocol: the wire protocol between agentk and kas, and between kas replicas: the .proto
// files and their generated code, the frame codec and order rules, the request-body pump, hop-by-hop
// headers, and the contracts (TunnelRegistry and its token) modules share without depending on each other.

export { ConnectionPings, type PingOutcome } from './connections/ConnectionPings.js';
export { cleanGrpcDetails } from './connections/cleanGrpcDetails.js';
export { AGENT_GRPC_SERVER, AGENT_TUNNELS, TUNNEL_TRACKER } from './contracts/agentEdgeRefs.js';
export type { PemSource } from './contracts/PemSource.js';
export type {
  Tunnel,
  TunnelRegistry,
  TunnelRegistryEvents,
  TunnelRequest,
  TunnelResponse,
} from './contracts/TunnelRegistry.js';
export { TunnelRegistryToken } from './contracts/TunnelRegistryToken.js';
export { FLOW_CONTROL_WINDOW, widenServerFlowControlWindow } from './flowControl/flowControlWindow.js';
export { FrameOrder, type FrameParts, type FrameViolation } from './frames/FrameOrder.js';
export {
  createDeserializer,
  createSerializer,
  EMPTY_BODY,
  type MessageCodec,
  UndecodableMessage,
} from './frames/frameCodec.js';
export { fromHeaderList, type HeaderRecord, HOP_BY_HOP_HEADERS, toHeaderList } from './frames/headers.js';
export {
  MAX_BODY_FRAME_BYTES,
  RequestBodyPump,
  type RequestBodyPumpHandlers,
  type RequestFrameSink,
} from './frames/RequestBodyPump.js';
export {
  Header,
  RequestFrame,
  RequestHead,
  ResponseError,
  ResponseFrame,
  ResponseHead,
} from './generated/kas/http/v1/http.js';
export {
  ForwardReply,
  ForwardRequest,
  ForwardServiceService,
  ForwardTarget,
} from './generated/kas/privateapi/v2/forward.js';
export {
  AgentDescriptor,
  AgentMessage,
  KasMessage,
  ReverseTunnelServiceService,
} from './generated/kas/tunnel/v1/tunnel.js';
export {
  HEARTBEAT_METADATA,
  type HeartbeatTiming,
  parseHeartbeatMetadata,
} from './heartbeat/heartbeatMetadata.js';
export {
  createForwardMethod,
  FORWARD_METADATA,
  FORWARD_V1_PATH,
  type ForwardMethod,
  MAX_FORWARD_MESSAGE_BYTES,
} from './methods/forwardMethod.js';
export {
  AGENT_HEARTBEAT,
  createReverseTunnelMethod,
  KAS_HEARTBEAT,
  type KasTunnelMessage,
  type ReverseTunnelMethod,
} from './methods/reverseTunnelMethod.js';
export { PROTO_DIRECTORY } from './protoDirectory.js';
