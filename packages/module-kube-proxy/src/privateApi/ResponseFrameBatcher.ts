import { EMPTY_BODY, type ResponseFrame, type ResponseHead } from '@kas/tunnel-protocol';

/**
 * Turns a response's head, body chunks and end into as few frames as the timing allows: what arrives
 * together goes out together. An agent sends a small answer as one frame (head, body and end), and the
 * tunnel hands it on as a head and a body that has its data and its end already queued; written as it
 * comes that is three messages on the Forward call (three serializations, three HTTP/2 DATA frames, three
 * reads at the caller), batched it is one. A chunk waits for the rest of the current tick of the event
 * loop (the stream's end, queued together with its last chunk, comes within it); the head alone waits
 * for the current turn of the event loop at most, so a watch's head still goes out at once.
 */
export class ResponseFrameBatcher {
  #head: ResponseHead | undefined;
  readonly #chunks: Uint8Array[] = [];
  #isTickScheduled = false;
  #isDone = false;

  constructor(
    /** Writes one frame; false when the call's buffer is full (the caller pauses the body). */
    private readonly write: (frame: ResponseFrame) => boolean,
    /** The call's buffer is full after a batched write: pause the body until it drains. */
    private readonly onFull: () => void,
  ) {}

  /** The response head: sent with the first chunk, or the end, or alone on the next turn. */
  head(head: ResponseHead): void {
    this.#head = head;
    setImmediate(this.#flushHead);
  }

  /** A body chunk: sent with whatever else arrives before the current tick is over. */
  chunk(chunk: Uint8Array): void {
    this.#chunks.push(chunk);
    if (this.#isTickScheduled) return;
    this.#isTickScheduled = true;
    process.nextTick(this.#flushTick);
  }

  /** The body ended: everything pending goes out now, the last frame with the end. */
  end(): void {
    if (this.#isDone) return;
    this.#flush(true);
    this.#isDone = true;
  }

  /** Drops whatever is pending: the response failed or was cancelled. */
  discard(): void {
    this.#isDone = true;
    this.#head = undefined;
    this.#chunks.length = 0;
  }

  readonly #flushHead = (): void => {
    if (this.#head !== undefined && !this.#isTickScheduled) this.#flushAndCheck();
  };

  readonly #flushTick = (): void => {
    if (this.#isTickScheduled) this.#flushAndCheck();
  };

  #flushAndCheck(): void {
    if (!this.#flush(false)) this.onFull();
  }

  /** Writes what is pending; returns whether the call takes more. */
  #flush(isEnd: boolean): boolean {
    this.#isTickScheduled = false;
    if (this.#isDone) return true;
    const head = this.#head;
    this.#head = undefined;
    const chunks = this.#chunks.splice(0);
    if (chunks.length === 0) {
      return head === undefined && !isEnd ? true : this.write({ head, body: EMPTY_BODY, end: isEnd });
    }
    let canWriteMore = true;
    chunks.forEach((chunk, index) => {
      const isLast = index === chunks.length - 1;
      canWriteMore = this.write({ head: index === 0 ? head : undefined, body: chunk, end: isEnd && isLast });
    });
    return canWriteMore;
  }
}
