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

export { EMPTY_BODY } from './emptyBody.js';

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
