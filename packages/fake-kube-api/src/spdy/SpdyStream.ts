import { EventEmitter } from 'node:events';
import type { SpdyHeaders } from './SpdyHeaderCodec.js';

/** What a stream asks of its connection. */
export interface SpdyStreamHost {
  reply(streamId: number): void;
  writeData(streamId: number, bytes: Buffer, isLast: boolean): boolean;
  reset(streamId: number): void;
  whenWritable(listener: () => void): void;
}

/** Events of a stream: bytes from the peer, the peer's end (FIN), and the stream's close. */
export interface SpdyStreamEvents {
  data: [Buffer];
  end: [];
  close: [];
}

/**
 * One SPDY stream the client opened (a `SYN_STREAM`): its headers, the bytes the client sends, and a
 * write side. Each half ends on its own: `end` when the client sent FIN, `end()` to send ours.
 */
export class SpdyStream extends EventEmitter<SpdyStreamEvents> {
  #isWriteEnded = false;
  #isReadEnded = false;
  #isClosed = false;

  constructor(
    readonly id: number,
    readonly headers: SpdyHeaders,
    private readonly host: SpdyStreamHost,
  ) {
    super();
  }

  /** The first value of a header, lower-case name. */
  header(name: string): string | undefined {
    return this.headers[name]?.[0];
  }

  /** Accepts the stream (`SYN_REPLY`); data may follow. */
  reply(): void {
    this.host.reply(this.id);
  }

  /** Sends bytes; false when the connection's buffer is full (wait for `whenWritable`). */
  write(bytes: Buffer | string): boolean {
    if (this.#isWriteEnded || this.#isClosed) return true;
    return this.host.writeData(this.id, typeof bytes === 'string' ? Buffer.from(bytes) : bytes, false);
  }

  /** Calls `listener` once the connection can take more. */
  whenWritable(listener: () => void): void {
    this.host.whenWritable(listener);
  }

  /** Sends FIN: nothing more from this side. */
  end(): void {
    if (this.#isWriteEnded || this.#isClosed) return;
    this.#isWriteEnded = true;
    this.host.writeData(this.id, Buffer.alloc(0), true);
    if (this.#isReadEnded) this.closed();
  }

  /** Resets the stream (`RST_STREAM`). */
  reset(): void {
    if (this.#isClosed) return;
    this.host.reset(this.id);
    this.closed();
  }

  /** The connection received the peer's FIN for this stream. */
  receivedEnd(): void {
    if (this.#isReadEnded) return;
    this.#isReadEnded = true;
    this.emit('end');
    if (this.#isWriteEnded) this.closed();
  }

  /** The stream is over (both FINs, a reset, or the connection closed). */
  closed(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    if (!this.#isReadEnded) {
      this.#isReadEnded = true;
      this.emit('end');
    }
    this.emit('close');
  }
}
