import ms from 'ms';
import { CoreError } from '../errors/CoreError.js';

/**
 * A duration: milliseconds as a number, or a string `ms` understands (`'500ms'`, `'10s'`, `'75m'`,
 * `'1h'`). Compound strings such as `'1h15m'` are not accepted; write `'75m'`.
 */
export type Duration = number | ms.StringValue;

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
      `${where}: ${JSON.stringify(duration)} is not a duration`,
      "give milliseconds as a number, or a string such as '500ms', '10s', '75m' or '1h'",
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
