import type { BinaryReader, BinaryWriter } from '@bufbuild/protobuf/wire';

/** A generated message's codec (ts-proto's `MessageFns`), as far as serializing needs it. */
export interface MessageCodec<T> {
  encode(message: T, writer?: BinaryWriter): BinaryWriter;
  decode(input: BinaryReader | Uint8Array, length?: number): T;
}

/**
 * What a deserializer hands on instead of a message when the bytes cannot be one. It travels through
 * grpc-js like a message, so the stream's owner, who knows the agent and the tunnel, ends that stream with
 * a clear status and logs it; a throwing deserializer would only give an anonymous INTERNAL status.
 */
export class UndecodableMessage {
  constructor(
    readonly code: 'KAS_FRAME_MALFORMED' | 'KAS_FRAME_TOO_LARGE',
    readonly message: string,
  ) {}
}

import { EMPTY_BODY } from './emptyBody.js';

export { EMPTY_BODY };

/**
 * A grpc-js serializer for a message type. ts-proto's own copies the encoded bytes into a new Buffer; a
 * Buffer view of the same memory does as well, one copy less per frame.
 */
export function createSerializer<T>(codec: MessageCodec<T>): (message: T) => Buffer {
  return (message) => {
    const bytes = codec.encode(message).finish();
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
}

/** Bodies below this size are encoded by the generated code alone: the detour pays only for large ones. */
const BODY_LAST_MIN_BYTES = 4096;
const WIRE_TYPE_LEN = 2;

/**
 * A grpc-js serializer for a message with a `bytes body` field (`bodyField` is its number) that writes a
 * large body once: the generated encoder grows its buffer by doubling (allocating and zeroing each time)
 * and copies the whole message again to finish, so a 64 KiB body was copied three times and 128 KiB
 * zeroed. Here the rest of the message is encoded without the body, and the body field is appended after
 * it, copied once into a buffer of the exact size. Protobuf decoders read fields in any order, so the
 * bytes decode to the same message.
 */
export function createBodyLastSerializer<T extends { readonly body: Uint8Array }>(
  codec: MessageCodec<T>,
  bodyField: number,
): (message: T) => Buffer {
  const plain = createSerializer(codec);
  return (message) => {
    const body = message.body;
    if (body.length < BODY_LAST_MIN_BYTES) return plain(message);
    const rest = codec.encode({ ...message, body: EMPTY_BODY }).finish();
    return joinFields(rest, bodyField, [], body);
  };
}

/**
 * The same for a message whose body sits in a nested frame (`ForwardRequest.frame`, `ForwardReply.frame`):
 * the outer message without the frame, then the frame field, whose bytes are the frame without its body
 * followed by the body field.
 */
export function createNestedBodyLastSerializer<T, F extends { readonly body: Uint8Array }>(
  codec: MessageCodec<T>,
  frameField: number,
  frameOf: (message: T) => F | undefined,
  frameCodec: MessageCodec<F>,
  bodyField: number,
): (message: T) => Buffer {
  const plain = createSerializer(codec);
  return (message) => {
    const frame = frameOf(message);
    const body = frame?.body;
    if (frame === undefined || body === undefined || body.length < BODY_LAST_MIN_BYTES) return plain(message);
    const outer = codec.encode({ ...message, frame: undefined }).finish();
    const frameRest = frameCodec.encode({ ...frame, body: EMPTY_BODY }).finish();
    const bodyPrefix = fieldPrefix(bodyField, body.length);
    const framePrefix = fieldPrefix(frameField, frameRest.length + bodyPrefix.length + body.length);
    return joinFields(outer, undefined, [framePrefix, frameRest, bodyPrefix], body);
  };
}

/** `head`, then the parts, then (with a field number) the body's field prefix, then the body: one copy each. */
function joinFields(
  head: Uint8Array,
  bodyField: number | undefined,
  parts: readonly Uint8Array[],
  body: Uint8Array,
): Buffer {
  const all = [head, ...parts, ...(bodyField === undefined ? [] : [fieldPrefix(bodyField, body.length)])];
  let size = body.length;
  for (const part of all) size += part.length;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const part of all) {
    out.set(part, at);
    at += part.length;
  }
  out.set(body, at);
  return out;
}

/** The tag and length of a length-delimited field. */
function fieldPrefix(field: number, length: number): Uint8Array {
  const bytes: number[] = [];
  for (let value of [((field << 3) | WIRE_TYPE_LEN) >>> 0, length]) {
    while (value > 0x7f) {
      bytes.push((value & 0x7f) | 0x80);
      value >>>= 7;
    }
    bytes.push(value);
  }
  return Uint8Array.from(bytes);
}

/**
 * A grpc-js deserializer that never throws: bytes over `maxMessageBytes`, or bytes that are not the
 * message, become an `UndecodableMessage`. Decoded `bytes` fields are views into the received buffer.
 */
export function createDeserializer<T>(
  codec: MessageCodec<T>,
  typeName: string,
  maxMessageBytes: number,
): (bytes: Buffer) => T | UndecodableMessage {
  return (bytes) => {
    if (bytes.length > maxMessageBytes) {
      return new UndecodableMessage(
        'KAS_FRAME_TOO_LARGE',
        `${typeName} of ${bytes.length} bytes is over the maximum message size of ${maxMessageBytes} bytes`,
      );
    }
    try {
      return codec.decode(bytes);
    } catch (error) {
      return new UndecodableMessage(
        'KAS_FRAME_MALFORMED',
        `${bytes.length} bytes are not a valid ${typeName}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  };
}
