import type { MethodDefinition } from '@grpc/grpc-js';
import { createDeserializer, createSerializer, type UndecodableMessage } from '../frames/frameCodec.js';
import { RequestFrame, ResponseFrame } from '../generated/kas/http/v1/http.js';
import { ForwardServiceService } from '../generated/kas/privateapi/v1/forward.js';

/** The largest frame either side of a Forward call accepts: a 64 KiB body frame plus a generous head. */
export const MAX_FORWARD_MESSAGE_BYTES = 4 * 1024 * 1024;

/** Metadata keys of a Forward call (see proto/kas/privateapi/v1/forward.proto). */
export const FORWARD_METADATA = {
  /** `Bearer <shared secret>`. */
  authorization: 'authorization',
  /** The agent to send the request to. */
  agentId: 'kas-agent-id',
  /** How long the callee may wait for an idle tunnel, in milliseconds. */
  tunnelWaitMs: 'kas-tunnel-wait-ms',
  /** Sent by the callee, as response metadata, once it holds a tunnel: the caller then sends the body. */
  tunnel: 'kas-tunnel',
} as const;

/** The value of the `kas-tunnel` response metadata. */
export const TUNNEL_ACQUIRED = 'acquired';

/** The `Forward` method of `kas.privateapi.v1.ForwardService`, with deserializers that never throw. */
export type ForwardMethod = MethodDefinition<
  RequestFrame | UndecodableMessage,
  ResponseFrame | UndecodableMessage
> & {
  readonly requestSerialize: (frame: RequestFrame) => Buffer;
  readonly responseSerialize: (frame: ResponseFrame) => Buffer;
};

/**
 * The grpc-js definition of `Forward` for both sides: the private API passes `{ forward: method }` to
 * `addService`; the kube proxy calls `client.makeBidiStreamRequest(method.path, ...)`. Bytes that are not
 * the expected frame arrive as `UndecodableMessage`, so the receiver ends that call with a clear status.
 */
export function createForwardMethod(): ForwardMethod {
  return {
    path: ForwardServiceService.forward.path,
    requestStream: true,
    responseStream: true,
    requestSerialize: createSerializer(RequestFrame),
    requestDeserialize: createDeserializer(RequestFrame, 'RequestFrame', MAX_FORWARD_MESSAGE_BYTES),
    responseSerialize: createSerializer(ResponseFrame),
    responseDeserialize: createDeserializer(ResponseFrame, 'ResponseFrame', MAX_FORWARD_MESSAGE_BYTES),
  } as ForwardMethod;
}
