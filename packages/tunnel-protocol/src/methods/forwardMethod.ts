import type { MethodDefinition } from '@grpc/grpc-js';
import {
  createDeserializer,
  createNestedBodyLastSerializer,
  type UndecodableMessage,
} from '../frames/frameCodec.js';
import { RequestFrame, ResponseFrame } from '../generated/kas/http/v1/http.js';
import {
  ForwardReply,
  ForwardRequest,
  ForwardServiceService,
} from '../generated/kas/privateapi/v2/forward.js';

// Field numbers, from forward.proto and http.proto: each message's frame, and the frame's body.
const FORWARD_FRAME = 2;
const FRAME_BODY = 2;

/** The largest message either side of a Forward call accepts: a 64 KiB body frame plus a generous head. */
export const MAX_FORWARD_MESSAGE_BYTES = 4 * 1024 * 1024;

/** Metadata keys of a Forward call (see proto/kas/privateapi/v2/forward.proto). */
export const FORWARD_METADATA = {
  /** `Bearer <shared secret>`, once per call. */
  authorization: 'authorization',
} as const;

/**
 * The path of version 1's `Forward` (one call per request), no longer served: a replica answers it with
 * UNIMPLEMENTED naming version 2, so an older replica's log says what to do during a rolling upgrade.
 */
export const FORWARD_V1_PATH = '/kas.privateapi.v1.ForwardService/Forward';

/** The `Forward` method of `kas.privateapi.v2.ForwardService`, with deserializers that never throw. */
export type ForwardMethod = MethodDefinition<
  ForwardRequest | UndecodableMessage,
  ForwardReply | UndecodableMessage
> & {
  readonly requestSerialize: (message: ForwardRequest) => Buffer;
  readonly responseSerialize: (message: ForwardReply) => Buffer;
};

/**
 * The grpc-js definition of `Forward` for both sides: the private API passes `{ forward: method }` to
 * `addService`; the kube proxy calls `client.makeBidiStreamRequest(method.path, ...)`. Bytes that are not
 * the expected message arrive as `UndecodableMessage`, so the receiver ends that call with a clear status.
 */
export function createForwardMethod(): ForwardMethod {
  return {
    path: ForwardServiceService.forward.path,
    requestStream: true,
    responseStream: true,
    requestSerialize: createNestedBodyLastSerializer(
      ForwardRequest,
      FORWARD_FRAME,
      (message) => message.frame,
      RequestFrame,
      FRAME_BODY,
    ),
    requestDeserialize: createDeserializer(ForwardRequest, 'ForwardRequest', MAX_FORWARD_MESSAGE_BYTES),
    responseSerialize: createNestedBodyLastSerializer(
      ForwardReply,
      FORWARD_FRAME,
      (message) => message.frame,
      ResponseFrame,
      FRAME_BODY,
    ),
    responseDeserialize: createDeserializer(ForwardReply, 'ForwardReply', MAX_FORWARD_MESSAGE_BYTES),
  } as ForwardMethod;
}
