import type { MethodDefinition } from '@grpc/grpc-js';
import { createDeserializer, createSerializer, type UndecodableMessage } from '../frames/frameCodec.js';
import { RequestFrame } from '../generated/kas/http/v1/http.js';
import { AgentMessage, ReverseTunnelServiceService } from '../generated/kas/tunnel/v1/tunnel.js';

/** The `Connect` method of `kas.tunnel.v1.ReverseTunnelService`, with deserializers that never throw. */
export type ReverseTunnelMethod = MethodDefinition<
  AgentMessage | UndecodableMessage,
  RequestFrame | UndecodableMessage
> & {
  readonly requestSerialize: (message: AgentMessage) => Buffer;
  readonly responseSerialize: (frame: RequestFrame) => Buffer;
};

/**
 * The grpc-js definition of `Connect` for both sides: the server passes `{ connect: method }` to
 * `addService`, the agent calls `client.makeBidiStreamRequest(method.path, method.requestSerialize,
 * method.responseDeserialize, ...)`. Messages over `maxMessageBytes`, and bytes that are not the expected
 * message, arrive as `UndecodableMessage` so the receiver ends that tunnel with a clear status.
 */
export function createReverseTunnelMethod(maxMessageBytes: number): ReverseTunnelMethod {
  return {
    path: ReverseTunnelServiceService.connect.path,
    requestStream: true,
    responseStream: true,
    requestSerialize: createSerializer(AgentMessage),
    requestDeserialize: createDeserializer(AgentMessage, 'AgentMessage', maxMessageBytes),
    responseSerialize: createSerializer(RequestFrame),
    responseDeserialize: createDeserializer(RequestFrame, 'RequestFrame', maxMessageBytes),
  } as ReverseTunnelMethod;
}
