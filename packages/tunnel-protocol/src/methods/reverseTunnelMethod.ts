import type { MethodDefinition } from '@grpc/grpc-js';
import { EMPTY_BODY } from '../frames/emptyBody.js';
import {
  createBodyLastSerializer,
  createDeserializer,
  createSerializer,
  type UndecodableMessage,
} from '../frames/frameCodec.js';
import { RequestFrame } from '../generated/kas/http/v1/http.js';
import { AgentMessage, KasMessage, ReverseTunnelServiceService } from '../generated/kas/tunnel/v1/tunnel.js';

// Field numbers of the bodies, from http.proto and tunnel.proto.
const REQUEST_FRAME_BODY = 2;
const AGENT_MESSAGE_BODY = 3;

/** What kas writes on a tunnel: a request frame, or a heartbeat (`KasMessage` with `heartbeat` alone). */
export type KasTunnelMessage = RequestFrame | KasMessage;

/** The `Connect` method of `kas.tunnel.v1.ReverseTunnelService`, with deserializers that never throw. */
export type ReverseTunnelMethod = MethodDefinition<
  AgentMessage | UndecodableMessage,
  KasMessage | UndecodableMessage
> & {
  readonly requestSerialize: (message: AgentMessage) => Buffer;
  readonly responseSerialize: (message: KasTunnelMessage) => Buffer;
};

/** The heartbeat kas sends on a tunnel of an agent that answers them. */
export const KAS_HEARTBEAT: KasMessage = { body: EMPTY_BODY, end: false, heartbeat: true };

/** The agent's answer to a heartbeat. */
export const AGENT_HEARTBEAT: AgentMessage = { body: EMPTY_BODY, end: false, heartbeat: true };

/**
 * The grpc-js definition of `Connect` for both sides: the server passes `{ connect: method }` to
 * `addService`, the agent calls `client.makeBidiStreamRequest(method.path, method.requestSerialize,
 * method.responseDeserialize, ...)`. Messages over `maxMessageBytes`, and bytes that are not the expected
 * message, arrive as `UndecodableMessage` so the receiver ends that tunnel with a clear status. A request
 * frame is written as a `RequestFrame` (the same bytes as a `KasMessage` without `heartbeat`).
 */
export function createReverseTunnelMethod(maxMessageBytes: number): ReverseTunnelMethod {
  const serializeFrame = createBodyLastSerializer(RequestFrame, REQUEST_FRAME_BODY);
  const serializeHeartbeat = createSerializer(KasMessage);
  return {
    path: ReverseTunnelServiceService.connect.path,
    requestStream: true,
    responseStream: true,
    requestSerialize: createBodyLastSerializer(AgentMessage, AGENT_MESSAGE_BODY),
    requestDeserialize: createDeserializer(AgentMessage, 'AgentMessage', maxMessageBytes),
    responseSerialize: (message: KasTunnelMessage) =>
      'heartbeat' in message && message.heartbeat ? serializeHeartbeat(message) : serializeFrame(message),
    responseDeserialize: createDeserializer(KasMessage, 'KasMessage', maxMessageBytes),
  } as ReverseTunnelMethod;
}
