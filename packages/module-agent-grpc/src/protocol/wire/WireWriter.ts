/** Protobuf wire types used by the frame messages. */
export const WIRE_VARINT = 0;
export const WIRE_BYTES = 2;

/** Bytes a varint of `value` (an unsigned 32-bit integer) takes. */
export function varintSize(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  return 5;
}

/**
 * Writes one message in two passes over the same fields in the same order: the sizing pass adds up the
 * message's size and notes each string's and nested message's length; the writing pass then fills one
 * Buffer of exactly that size, taking the noted lengths back in order. One allocation per message, each
 * body copied once, no growing buffer and no joins (what `BinaryWriter` does for nested messages).
 * Not re-entrant: one message at a time (encoding is synchronous).
 */
export class WireWriter {
  readonly #lengths: number[] = [];
  #next = 0;
  #buffer: Buffer = Buffer.alloc(0);
  #pos = 0;

  /** Starts the sizing pass of a new message. */
  beginSizing(): void {
    this.#lengths.length = 0;
  }

  /** Size of a string field (tag, length, UTF-8 bytes); notes its length. */
  sizeString(field: number, value: string): number {
    const length = Buffer.byteLength(value);
    this.#lengths.push(length);
    return varintSize(field << 3) + varintSize(length) + length;
  }

  /** Reserves the note of a nested message's length; `closeNested` fills it once its fields are sized. */
  openNested(): number {
    this.#lengths.push(0);
    return this.#lengths.length - 1;
  }

  /** Size of a bytes field (tag, length, bytes). */
  sizeBytes(field: number, value: Uint8Array): number {
    return varintSize(field << 3) + varintSize(value.length) + value.length;
  }

  /** Size of a varint field. */
  sizeVarint(field: number, value: number): number {
    return varintSize(field << 3) + varintSize(value >>> 0);
  }

  /** Size of the nested message field whose content is `contentSize` bytes. */
  closeNested(field: number, slot: number, contentSize: number): number {
    this.#lengths[slot] = contentSize;
    return varintSize(field << 3) + varintSize(contentSize) + contentSize;
  }

  /** Starts the writing pass into a fresh buffer of `size` bytes. */
  beginWriting(size: number): void {
    this.#buffer = Buffer.allocUnsafe(size);
    this.#pos = 0;
    this.#next = 0;
  }

  /** The written message; throws if the two passes disagreed (a bug, never bad input). */
  finish(): Buffer {
    if (this.#pos !== this.#buffer.length) {
      throw new Error(`frame encoder wrote ${this.#pos} of ${this.#buffer.length} bytes`);
    }
    return this.#buffer;
  }

  varint(value: number): void {
    let rest = value >>> 0;
    while (rest >= 0x80) {
      this.#buffer[this.#pos++] = (rest & 0x7f) | 0x80;
      rest >>>= 7;
    }
    this.#buffer[this.#pos++] = rest;
  }

  tag(field: number, wireType: number): void {
    this.varint((field << 3) | wireType);
  }

  string(field: number, value: string): void {
    const length = this.#lengths[this.#next++] as number;
    this.tag(field, WIRE_BYTES);
    this.varint(length);
    this.#pos += this.#buffer.write(value, this.#pos, length, 'utf8');
  }

  bytes(field: number, value: Uint8Array): void {
    this.tag(field, WIRE_BYTES);
    this.varint(value.length);
    this.#buffer.set(value, this.#pos);
    this.#pos += value.length;
  }

  /** Writes the tag and length of a nested message; its fields follow. */
  nested(field: number): void {
    this.tag(field, WIRE_BYTES);
    this.varint(this.#lengths[this.#next++] as number);
  }
}
