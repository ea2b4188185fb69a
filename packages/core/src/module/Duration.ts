import ms from 'ms';
import { CoreError } from '../errors/CoreError.js';
import { quoteValue } from './quoteValue.js';

/**
 * A duration: milliseconds as a number, or a string `ms` understands (`'500ms'`, `'10s'`, `'75m'`,
 * `'1h'`). Compound strings such as `'1h15m'` are not accepted; write `'75m'`.
 */
export type Duration = number | ms.StringValue;

/**
 * The longest duration kas accepts: Node's timers wait at most 2^31 - 1 ms (about 24.8 days) and fire at
 * once for anything longer, so a longer drain budget or deadline would cut at the first moment.
 */
export const MAX_DURATION_MS = 2_147_483_647;

/** Parses a duration into milliseconds, throwing `KAS_INVALID_DECLARATION` with `where` in the message. */
export function toMilliseconds(duration: Duration, where: string): number {
  // ms throws a plain Error for what is neither a string nor a number; such input is a bad declaration too.
  const given: unknown = duration;
  const value =
    typeof given === 'number'
      ? given
      : typeof given === 'string' && given.length > 0
        ? ms(given as ms.StringValue)
        : Number.NaN;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new CoreError(
      'KAS_INVALID_DECLARATION',
      `${where}: ${quoteValue(duration)} is not a duration`,
      "give milliseconds as a number, or a string such as '500ms', '10s', '75m' or '1h'",
    );
  }
  if (value > MAX_DURATION_MS) {
    throw new CoreError(
      'KAS_INVALID_DECLARATION',
      `${where}: ${quoteValue(duration)} is longer than the longest duration kas can time, ${formatDuration(MAX_DURATION_MS)} (about 24.8 days: Node's timers fire at once beyond it)`,
      "give at most '24d'",
    );
  }
  return value;
}

const UNITS = [
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
] as const;

/**
 * Milliseconds for people, exactly and largest units first, in the units a `Duration` is written in:
 * `1h`, `1h 30s`, `10s`, `1s 500ms`, `250ms`, `0s`. Messages that quote a configured or measured duration
 * use it, so an operator reads `drain budget 1h` rather than `3600000ms` (log fields keep milliseconds).
 */
export function formatDuration(durationMs: number): string {
  let rest = Math.round(Math.max(0, durationMs));
  if (rest === 0) return '0s';
  const parts: string[] = [];
  for (const [unit, size] of UNITS) {
    const count = Math.floor(rest / size);
    if (count > 0) parts.push(`${count}${unit}`);
    rest -= count * size;
  }
  return parts.join(' ');
}
