import type { Readable } from 'node:stream';
import type { RequestFrame } from '../generated/kas/http/v1/http.js';
import { EMPTY_BODY } from './emptyBody.js';

/** Bodies are cut into frames of at most this many bytes (views, not copies). */
export const MAX_BODY_FRAME_BYTES = 64 * 1024;

/** The write side of a call that carries request frames (a tunnel, a forward to another replica). */
export interface RequestFrameSink {
  write(frame: RequestFrame): boolean;
  once(event: 'drain', listener: () => void): unknown;
}

/** What a pump reports. Neither is called once the pump is stopped. */
export interface RequestBodyPumpHandlers {
  /** The body ended and its end frame was written. */
  onEnd(): void;
  /** The body failed; nothing more is written. */
  onError(error: Error): void;
}

/**
 * Sends a request body after its head frame: each chunk as body frames of at most
 * `MAX_BODY_FRAME_BYTES` (views of the chunk), pausing the body while the call's write buffer is full,
 * then one end frame. The head frame is the caller's: it may go out before the pump starts (a forward
 * sends the body only once the other replica holds a tunnel).
 */
export class RequestBodyPump {
  #isStopped = false;

  constructor(
    private readonly sink: RequestFrameSink,
    private readonly body: Readable,
    private readonly handlers: RequestBodyPumpHandlers,
  ) {
    body.on('data', this.#onData);
    body.once('end', this.#onEnd);
    body.once('error', this.#onError);
  }

  /** Writes nothing more and reports nothing more: the exchange is over. */
  stop(): void {
    if (this.#isStopped) return;
    this.#isStopped = true;
    this.body.off('data', this.#onData);
    this.body.off('end', this.#onEnd);
    // The 'error' listener stays: the body is the caller's, and a late error must not go unhandled.
  }

  readonly #onData = (chunk: Buffer | string): void => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    let canWriteMore = true;
    for (let offset = 0; offset < bytes.length; offset += MAX_BODY_FRAME_BYTES) {
      canWriteMore = this.sink.write({
        body: bytes.subarray(offset, offset + MAX_BODY_FRAME_BYTES),
        end: false,
      });
    }
    if (!canWriteMore) {
      this.body.pause();
      this.sink.once('drain', this.#onDrain);
    }
  };

  readonly #onDrain = (): void => {
    if (!this.#isStopped) this.body.resume();
  };

  readonly #onEnd = (): void => {
    if (this.#isStopped) return;
    this.stop();
    this.sink.write({ body: EMPTY_BODY, end: true });
    this.handlers.onEnd();
  };

  readonly #onError = (error: Error): void => {
    if (!this.#isStopped) this.handlers.onError(error);
  };
}
