import { type AgentMessage, EMPTY_BODY, type ResponseHead } from '@kas/tunnel-protocol';

interface PendingFrame {
  head: ResponseHead | undefined;
  body: Uint8Array;
  end: boolean;
}

/**
 * Writes a response as frames, folding what arrives within one turn of the event loop into one frame:
 * a small response (head, its only body chunk, end) goes to kas as a single message, which halves the
 * per-request work on both sides. At most one body chunk is held back, and never past the current turn,
 * so a watch's events still flow one by one as they come.
 */
export class ResponseFrameWriter {
  #pending: PendingFrame | undefined;
  #isScheduled = false;

  /** `write` returns false when the stream wants the writer to wait for 'drain'; `onFull` is then called. */
  constructor(
    private readonly write: (message: AgentMessage) => boolean,
    private readonly onFull: () => void,
  ) {}

  head(head: ResponseHead): void {
    this.flush();
    this.#hold({ head, body: EMPTY_BODY, end: false });
  }

  body(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    const pending = this.#pending;
    if (pending !== undefined && pending.body.length === 0) {
      pending.body = chunk;
      return;
    }
    this.flush();
    this.#hold({ head: undefined, body: chunk, end: false });
  }

  end(): void {
    const pending = this.#pending ?? { head: undefined, body: EMPTY_BODY, end: false };
    pending.end = true;
    this.#pending = pending;
    this.flush();
  }

  /** Ends the response with an error frame (after whatever is pending). */
  error(code: string, message: string): void {
    this.flush();
    this.#send({ body: EMPTY_BODY, end: false, error: { code, message }, heartbeat: false });
  }

  /** Writes what is pending now. */
  flush(): void {
    const pending = this.#pending;
    if (pending === undefined) return;
    this.#pending = undefined;
    this.#send({ head: pending.head, body: pending.body, end: pending.end, heartbeat: false });
  }

  #hold(frame: PendingFrame): void {
    this.#pending = frame;
    if (this.#isScheduled) return;
    this.#isScheduled = true;
    setImmediate(this.#onTurnEnd);
  }

  readonly #onTurnEnd = (): void => {
    this.#isScheduled = false;
    this.flush();
  };

  #send(message: AgentMessage): void {
    if (!this.write(message)) this.onFull();
  }
}
