/**
 * Follows the frames of one direction of a WebSocket connection (RFC 6455 section 5.2) without decoding
 * them: it reads each frame's header and skips its payload by length, so it costs a few operations per
 * frame whatever the frame's size. It tells where the next frame begins, so kas can end a relayed
 * connection with frames of its own (a close with a reason) without cutting one of the server's in half.
 */
export class WebSocketFrameBoundary {
  /** Payload bytes of the current frame still to come. */
  #payloadLeft = 0;
  /** Bytes of a frame header received so far, when a header was split between chunks. */
  #header: Buffer | undefined;
  #hasSeenClose = false;

  /**
   * True once a close frame began: the sender ended the WebSocket as the protocol asks. A connection that
   * ends without one was cut (RFC 6455's 1006, abnormal closure).
   */
  get hasSeenClose(): boolean {
    return this.#hasSeenClose;
  }

  /** True when the bytes seen so far end exactly at the end of a frame. */
  get isAtBoundary(): boolean {
    return this.#payloadLeft === 0 && this.#header === undefined;
  }

  /**
   * Takes the next bytes of the direction and returns the offset in `chunk` of the last frame boundary
   * within it (0 when there is none after its start but it began at one; -1 when none at all).
   */
  feed(chunk: Buffer): number {
    let lastBoundary = this.isAtBoundary ? 0 : -1;
    let offset = 0;
    while (offset < chunk.length) {
      if (this.#payloadLeft > 0) {
        const taken = Math.min(this.#payloadLeft, chunk.length - offset);
        this.#payloadLeft -= taken;
        offset += taken;
        if (this.#payloadLeft === 0) lastBoundary = offset;
        continue;
      }
      const start =
        this.#header === undefined
          ? chunk.subarray(offset)
          : Buffer.concat([this.#header, chunk.subarray(offset)]);
      const consumedBefore = this.#header?.length ?? 0;
      const parsed = parseHeader(start);
      if (parsed === undefined) {
        this.#header = Buffer.from(start);
        return lastBoundary;
      }
      this.#header = undefined;
      if (parsed.opcode === CLOSE_OPCODE) this.#hasSeenClose = true;
      offset += parsed.headerBytes - consumedBefore;
      this.#payloadLeft = parsed.payloadBytes;
      if (this.#payloadLeft === 0) lastBoundary = offset;
    }
    return lastBoundary;
  }
}

const CLOSE_OPCODE = 0x8;

function parseHeader(
  bytes: Buffer,
): { opcode: number; headerBytes: number; payloadBytes: number } | undefined {
  if (bytes.length < 2) return undefined;
  const second = bytes.readUInt8(1);
  const isMasked = (second & 0x80) !== 0;
  const length7 = second & 0x7f;
  let headerBytes = 2;
  let payloadBytes = length7;
  if (length7 === 126) {
    if (bytes.length < 4) return undefined;
    payloadBytes = bytes.readUInt16BE(2);
    headerBytes = 4;
  } else if (length7 === 127) {
    if (bytes.length < 10) return undefined;
    payloadBytes = Number(bytes.readBigUInt64BE(2));
    headerBytes = 10;
  }
  if (isMasked) headerBytes += 4;
  if (bytes.length < headerBytes) return undefined;
  return { opcode: bytes.readUInt8(0) & 0x0f, headerBytes, payloadBytes };
}

/** An unmasked (server to client) WebSocket frame. */
export function webSocketFrame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const header =
    length < 126
      ? Buffer.from([0x80 | opcode, length])
      : Buffer.from([0x80 | opcode, 126, length >> 8, length & 0xff]);
  return Buffer.concat([header, payload]);
}

/** The most bytes a close frame's reason may have (a control frame's payload is at most 125). */
const CLOSE_REASON_BYTES = 123;
const ELLIPSIS = Buffer.from('…');

/**
 * A close frame with a status code (1001: going away) and its reason. A reason longer than a frame
 * allows ends in `…` at a character boundary: a client must fail a connection whose reason is not valid
 * UTF-8.
 */
export function webSocketCloseFrame(code: number, reason: string): Buffer {
  let text = Buffer.from(reason);
  if (text.length > CLOSE_REASON_BYTES) {
    let end = CLOSE_REASON_BYTES - ELLIPSIS.length;
    while ((text[end] ?? 0) >> 6 === 0b10) end -= 1; // a continuation byte: back to its character's start
    text = Buffer.concat([text.subarray(0, end), ELLIPSIS]);
  }
  const payload = Buffer.alloc(2 + text.length);
  payload.writeUInt16BE(code, 0);
  text.copy(payload, 2);
  return webSocketFrame(CLOSE_OPCODE, payload);
}
