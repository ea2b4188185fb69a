import { WIRE_BYTES, WIRE_VARINT } from './WireWriter.js';

const WIRE_FIXED64 = 1;
const WIRE_FIXED32 = 5;
const utf8 = new TextDecoder();

/**
 * Reads protobuf wire data from one buffer, within `[pos, end)`. Every read checks the bounds and throws
 * on truncated or malformed data. `bytes` returns views of the input, not copies.
 */
export class WireReader {
  constructor(
    private readonly buffer: Uint8Array,
    public pos: number,
    readonly end: number,
  ) {}

  /** A varint; values over 32 bits keep their low 32 bits (protobuf's uint32, bool and tag reading). */
  varint(): number {
    let value = 0;
    for (let index = 0; index < 10; index++) {
      if (this.pos >= this.end) throw new RangeError('truncated varint');
      const byte = this.buffer[this.pos++] as number;
      if (index < 5) value |= (byte & 0x7f) << (7 * index);
      if (byte < 0x80) return value >>> 0;
    }
    throw new RangeError('varint longer than 10 bytes');
  }

  /** A bool: any varint other than zero, all of its bits counted. */
  bool(): boolean {
    let isSet = false;
    for (let index = 0; index < 10; index++) {
      if (this.pos >= this.end) throw new RangeError('truncated varint');
      const byte = this.buffer[this.pos++] as number;
      if ((byte & 0x7f) !== 0) isSet = true;
      if (byte < 0x80) return isSet;
    }
    throw new RangeError('varint longer than 10 bytes');
  }

  /** The end of a length-delimited field that starts here (after its length), checked against `end`. */
  limit(): number {
    const length = this.varint();
    const end = this.pos + length;
    if (end > this.end) throw new RangeError(`length ${length} goes past the end of the data`);
    return end;
  }

  bytes(): Uint8Array {
    const end = this.limit();
    const view = this.buffer.subarray(this.pos, end);
    this.pos = end;
    return view;
  }

  string(): string {
    const end = this.limit();
    const start = this.pos;
    this.pos = end;
    return Buffer.isBuffer(this.buffer)
      ? this.buffer.toString('utf8', start, end)
      : utf8.decode(this.buffer.subarray(start, end));
  }

  /** Skips a field of an unknown number (a newer peer's). Groups are not used by these messages: malformed. */
  skip(wireType: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_FIXED64:
        this.#advance(8);
        return;
      case WIRE_BYTES:
        this.pos = this.limit();
        return;
      case WIRE_FIXED32:
        this.#advance(4);
        return;
      default:
        throw new RangeError(`wire type ${wireType} is not supported`);
    }
  }

  /** The next tag; throws on tag 0 (no field has number 0). */
  tag(): number {
    const tag = this.varint();
    if (tag >>> 3 === 0) throw new RangeError('field number 0');
    return tag;
  }

  #advance(count: number): void {
    if (this.pos + count > this.end) throw new RangeError('truncated fixed-size field');
    this.pos += count;
  }
}
