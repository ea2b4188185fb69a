import type { BinaryReader, BinaryWriter } from '@bufbuild/protobuf/wire';
import { FRAME_WIRE_CODECS } from './wire/frameWireCodecs.js';

export { EMPTY_BODY } from './emptyBody.js';

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

/**
 * A grpc-js serializer for a message type. The frame messages (`RequestFrame`, `ResponseFrame`,
 * `AgentMessage`) are encoded by hand-written encoders that write the same bytes into one exactly sized
 * Buffer; other types by the generated encoder, as a Buffer view of its bytes.
 */
export function createSerializer<T>(codec: MessageCodec<T>): (message: T) => Buffer {
  const frameCodec = FRAME_WIRE_CODECS.get(codec);
  if (frameCodec !== undefined) return frameCodec.encode as (message: T) => Buffer;
  return (message) => {
    const bytes = codec.encode(message).finish();
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
}

/**
 * A grpc-js deserializer that never throws: bytes over `maxMessageBytes`, or bytes that are not the
 * message, become an `UndecodableMessage`. Decoded `bytes` fields are views into the received buffer.
 * The frame messages are decoded by hand-written decoders (the same objects as the generated ones).
 */
export function createDeserializer<T>(
  codec: MessageCodec<T>,
  typeName: string,
  maxMessageBytes: number,
): (bytes: Buffer) => T | UndecodableMessage {
  const decode = (FRAME_WIRE_CODECS.get(codec)?.decode ?? ((bytes: Buffer) => codec.decode(bytes))) as (
    bytes: Buffer,
  ) => T;
  return (bytes) => {
    if (bytes.length > maxMessageBytes) {
      return new UndecodableMessage(
        'KAS_FRAME_TOO_LARGE',
        `${typeName} of ${bytes.length} bytes is over the maximum message size of ${maxMessageBytes} bytes`,
      );
    }
    try {
      return decode(bytes);
    } catch (error) {
      return new UndecodableMessage(
        'KAS_FRAME_MALFORMED',
        `${bytes.length} bytes are not a valid ${typeName}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  };
}
