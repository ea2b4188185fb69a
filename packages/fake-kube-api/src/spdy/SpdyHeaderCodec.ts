import { constants, createDeflate, createInflate, type Deflate, type Inflate } from 'node:zlib';
import { SPDY3_HEADER_DICTIONARY } from './spdy3HeaderDictionary.js';

/** SPDY header fields: lower-case names, each with its values (SPDY joins several with NUL). */
export type SpdyHeaders = Record<string, string[]>;

/**
 * One direction's header compression of a SPDY/3 connection: a zlib stream primed with the SPDY
 * dictionary whose context lasts as long as the connection, each block flushed with Z_SYNC_FLUSH. Calls
 * are serialized by the caller (the context depends on every block before).
 */
export class SpdyHeaderCodec {
  readonly #inflate: Inflate = createInflate({ dictionary: SPDY3_HEADER_DICTIONARY });
  readonly #deflate: Deflate = createDeflate({ dictionary: SPDY3_HEADER_DICTIONARY });

  constructor() {
    this.#inflate.on('error', () => {});
    this.#deflate.on('error', () => {});
  }

  /** Decodes a compressed header block. */
  async decode(block: Buffer): Promise<SpdyHeaders> {
    const bytes = await flushThrough(this.#inflate, block);
    const headers: SpdyHeaders = Object.create(null);
    let offset = 4;
    const count = bytes.readUInt32BE(0);
    for (let index = 0; index < count; index += 1) {
      const nameLength = bytes.readUInt32BE(offset);
      const name = bytes.toString('utf8', offset + 4, offset + 4 + nameLength).toLowerCase();
      offset += 4 + nameLength;
      const valueLength = bytes.readUInt32BE(offset);
      const value = bytes.toString('utf8', offset + 4, offset + 4 + valueLength);
      offset += 4 + valueLength;
      headers[name] = [...(headers[name] ?? []), ...value.split('\0')];
    }
    return headers;
  }

  /** Encodes and compresses a header block. */
  encode(headers: Readonly<Record<string, string>>): Promise<Buffer> {
    const parts: Buffer[] = [];
    const entries = Object.entries(headers);
    const count = Buffer.alloc(4);
    count.writeUInt32BE(entries.length);
    parts.push(count);
    for (const [name, value] of entries) {
      for (const text of [name.toLowerCase(), value]) {
        const bytes = Buffer.from(text);
        const length = Buffer.alloc(4);
        length.writeUInt32BE(bytes.length);
        parts.push(length, bytes);
      }
    }
    return flushThrough(this.#deflate, Buffer.concat(parts));
  }

  close(): void {
    this.#inflate.close();
    this.#deflate.close();
  }
}

function flushThrough(stream: Inflate | Deflate, input: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const output: Buffer[] = [];
    const onData = (chunk: Buffer) => output.push(chunk);
    const onError = (error: Error) => {
      stream.off('data', onData);
      reject(error);
    };
    stream.on('data', onData);
    stream.once('error', onError);
    stream.write(input);
    stream.flush(constants.Z_SYNC_FLUSH, () => {
      stream.off('data', onData);
      stream.off('error', onError);
      resolve(Buffer.concat(output));
    });
  });
}
