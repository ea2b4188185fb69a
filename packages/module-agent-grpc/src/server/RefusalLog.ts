import type { Logger } from 'pino';

/** How many refusals of one interval are logged one by one; the rest are counted. */
export const REFUSALS_LOGGED_PER_INTERVAL = 5;
/** The interval over which refusals beyond the first few are summed up. */
export const REFUSAL_INTERVAL_MS = 10_000;

/**
 * The agent server's refused calls (bad token, tunnel limit, ...), logged without flooding: the first
 * `REFUSALS_LOGGED_PER_INTERVAL` of each `REFUSAL_INTERVAL_MS` as a warning each, the others counted by
 * reason and written as one `tunnel.refusedSummary` warning when the next interval begins (at its first
 * refusal) or when the server stops. 5,000 bad calls in a second make 5 lines and one summary.
 */
export class RefusalLog {
  #intervalStartedAt = Number.NEGATIVE_INFINITY;
  #loggedInInterval = 0;
  /** Refusals not logged one by one since the last summary, by reason. */
  #suppressed = new Map<string, number>();

  constructor(
    private readonly log: Logger,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** One refused call: logged as `fields` with `message`, or counted under `reason`. */
  refused(reason: string, fields: Readonly<Record<string, unknown>>, message: string): void {
    const now = this.now();
    if (now - this.#intervalStartedAt >= REFUSAL_INTERVAL_MS) {
      this.flush();
      this.#intervalStartedAt = now;
      this.#loggedInInterval = 0;
    }
    if (this.#loggedInInterval < REFUSALS_LOGGED_PER_INTERVAL) {
      this.#loggedInInterval += 1;
      this.log.warn(fields, message);
      return;
    }
    this.#suppressed.set(reason, (this.#suppressed.get(reason) ?? 0) + 1);
  }

  /** Writes the summary of the refusals counted but not logged, if any. */
  flush(): void {
    if (this.#suppressed.size === 0) return;
    const byReason = Object.fromEntries(this.#suppressed);
    const total = [...this.#suppressed.values()].reduce((sum, count) => sum + count, 0);
    this.#suppressed = new Map();
    this.log.warn(
      { event: 'tunnel.refusedSummary', refused: total, byReason },
      `refused ${total} more call(s) not logged one by one (at most ${REFUSALS_LOGGED_PER_INTERVAL} per ${REFUSAL_INTERVAL_MS / 1000}s are): ${Object.entries(
        byReason,
      )
        .map(([reason, count]) => `${count} × ${reason}`)
        .join(', ')}`,
    );
  }
}
