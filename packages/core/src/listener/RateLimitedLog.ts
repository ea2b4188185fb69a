import type { Logger } from 'pino';

/** How a `RateLimitedLog` writes and sums up. */
export interface RateLimitedLogOptions {
  /** The level of every line, the summary's too. */
  readonly level: 'info' | 'warn';
  /** The `event` field of the summary line, e.g. `tunnel.refusedSummary`. */
  readonly summaryEvent: string;
  /** What a line is about, in the plural, for the summary's message: e.g. `refused calls`. */
  readonly what: string;
  /** Lines written one by one in each interval. Default 5. */
  readonly perInterval?: number;
  /** The interval, in ms. Default 10,000. */
  readonly intervalMs?: number;
  /** The clock, in ms. Default `performance.now()`. */
  readonly now?: () => number;
}

/**
 * Log lines that a peer can cause at will (a refused call, a denied request), written without letting a
 * flood of them flood the log: the first `perInterval` lines of each `intervalMs` are written one by
 * one, the others are counted by reason and written as one summary line (`summaryEvent`, with `count`
 * and `byReason`) at the end of the interval, or at `flush()` (call it when the listener stops). 5,000
 * bad requests in a second make 5 lines and one summary. Counters and metrics stay exact: count every
 * occurrence there, and log it here.
 *
 * @example
 * ```ts
 * const refusals = new RateLimitedLog(log, { level: 'warn', summaryEvent: 'tunnel.refusedSummary', what: 'refused calls' });
 * refusals.write('KAS_UNAUTHENTICATED', { event: 'tunnel.unauthenticated', code: 'KAS_UNAUTHENTICATED' }, 'refused a tunnel: no token');
 * ```
 */
export class RateLimitedLog {
  readonly #perInterval: number;
  readonly #intervalMs: number;
  readonly #now: () => number;
  #intervalStartedAt = Number.NEGATIVE_INFINITY;
  #writtenInInterval = 0;
  /** Lines not written one by one since the last summary, by reason. */
  #suppressed = new Map<string, number>();
  #summaryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly log: Logger,
    private readonly options: RateLimitedLogOptions,
  ) {
    this.#perInterval = options.perInterval ?? 5;
    this.#intervalMs = options.intervalMs ?? 10_000;
    this.#now = options.now ?? (() => performance.now());
  }

  /** One occurrence: written as `fields` with `message`, or counted under `reason` for the summary. */
  write(reason: string, fields: Readonly<Record<string, unknown>>, message: string): void {
    const now = this.#now();
    if (now - this.#intervalStartedAt >= this.#intervalMs) {
      this.flush();
      this.#intervalStartedAt = now;
      this.#writtenInInterval = 0;
    }
    if (this.#writtenInInterval < this.#perInterval) {
      this.#writtenInInterval += 1;
      this.log[this.options.level](fields, message);
      return;
    }
    this.#suppressed.set(reason, (this.#suppressed.get(reason) ?? 0) + 1);
    if (this.#summaryTimer === undefined) {
      const untilIntervalEnds = Math.max(0, this.#intervalStartedAt + this.#intervalMs - now);
      this.#summaryTimer = setTimeout(() => this.#endInterval(), untilIntervalEnds).unref();
    }
  }

  /**
   * The interval's timer: its summary, and the next line opens a new interval. By the clock (`now`) the
   * interval may not be over yet: a timer measures from the event loop's cached time, which lags
   * `performance.now()` on a busy loop, and a line after the summary would be counted for a summary
   * written only at the next timer.
   */
  #endInterval(): void {
    this.flush();
    this.#intervalStartedAt = Number.NEGATIVE_INFINITY;
  }

  /** Writes the summary of what was counted and not written, if anything was. */
  flush(): void {
    clearTimeout(this.#summaryTimer);
    this.#summaryTimer = undefined;
    if (this.#suppressed.size === 0) return;
    const byReason = Object.fromEntries(this.#suppressed);
    const count = [...this.#suppressed.values()].reduce((sum, value) => sum + value, 0);
    this.#suppressed = new Map();
    const reasons = Object.entries(byReason)
      .map(([reason, times]) => `${times} × ${reason}`)
      .join(', ');
    this.log[this.options.level](
      { event: this.options.summaryEvent, count, byReason },
      `${count} more ${this.options.what} not logged one by one (at most ${this.#perInterval} per ${this.#intervalMs / 1000}s are): ${reasons}`,
    );
  }
}
