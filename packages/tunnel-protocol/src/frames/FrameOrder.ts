/** The parts a frame may carry; `RequestFrame`, `ResponseFrame` and the frame fields of `AgentMessage` all fit. */
export interface FrameParts {
  readonly head?: unknown;
  readonly body: Uint8Array;
  readonly end: boolean;
  readonly error?: unknown;
}

/** Why a frame was refused: its code leads the details of the gRPC status that ends the stream. */
export interface FrameViolation {
  readonly code: 'KAS_FRAME_OUT_OF_ORDER' | 'KAS_FRAME_UNKNOWN';
  readonly message: string;
}

type Stage = 'head' | 'body' | 'ended';

/**
 * Checks the frames of one direction of one exchange against the order rules of `kas/http/v1/http.proto`:
 * the first frame has a head (a response may instead fail at once with an error), no later frame has one,
 * nothing follows the end or an error, and a frame carries something. Both sides of every stream that
 * carries these frames use it, so a peer that breaks the rules is stopped at the first bad frame.
 */
export class FrameOrder {
  #stage: Stage = 'head';

  constructor(private readonly direction: 'request' | 'response') {}

  /** True once a frame with the head was accepted. */
  get hasHead(): boolean {
    return this.#stage !== 'head';
  }

  /** True once the end (or an error) was accepted. */
  get isEnded(): boolean {
    return this.#stage === 'ended';
  }

  /** Accepts the frame and advances, or returns what is wrong with it (and stays where it was). */
  accept(frame: FrameParts): FrameViolation | undefined {
    const hasError = frame.error !== undefined;
    const hasHead = frame.head !== undefined;
    if (!hasHead && frame.body.length === 0 && !frame.end && !hasError) {
      return {
        code: 'KAS_FRAME_UNKNOWN',
        message: `a ${this.direction} frame with no head, no body, no end and no error (empty, or from a newer protocol)`,
      };
    }
    if (this.#stage === 'ended') return this.#outOfOrder('a frame after the end');
    if (hasError && (frame.end || frame.body.length > 0)) {
      return this.#outOfOrder('an error together with a body or an end');
    }
    if (hasHead && this.#stage !== 'head') return this.#outOfOrder('a second head');
    if (!hasHead && !hasError && this.#stage === 'head')
      return this.#outOfOrder('a body or end before the head');
    this.#stage = frame.end || hasError ? 'ended' : 'body';
    return undefined;
  }

  #outOfOrder(what: string): FrameViolation {
    return { code: 'KAS_FRAME_OUT_OF_ORDER', message: `${this.direction} frames out of order: ${what}` };
  }
}
