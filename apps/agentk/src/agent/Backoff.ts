/** Exponential backoff with jitter and a cap. */
export interface BackoffOptions {
  /** The first delay, in ms. Default 100. */
  readonly initialMs?: number;
  /** No delay is longer. Default 10 000. */
  readonly maxMs?: number;
}

/** Defaults of `BackoffOptions`. */
export const BACKOFF_DEFAULTS = { initialMs: 100, maxMs: 10_000 } as const;

/**
 * Delays between reconnect attempts: doubling from `initialMs` up to `maxMs`, each one drawn from its
 * upper half ("equal jitter"), so many agents cut off at once do not come back in lockstep.
 */
export class Backoff {
  readonly #initialMs: number;
  readonly #maxMs: number;
  #attempts = 0;

  constructor(
    options: BackoffOptions = {},
    private readonly random: () => number = Math.random,
  ) {
    this.#initialMs = options.initialMs ?? BACKOFF_DEFAULTS.initialMs;
    this.#maxMs = options.maxMs ?? BACKOFF_DEFAULTS.maxMs;
  }

  /** The delay before the next attempt; each call lengthens the following one. */
  next(): number {
    const ceiling = Math.min(this.#maxMs, this.#initialMs * 2 ** this.#attempts);
    this.#attempts += 1;
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }

  /** Back to the first delay, after a success. */
  reset(): void {
    this.#attempts = 0;
  }
}
