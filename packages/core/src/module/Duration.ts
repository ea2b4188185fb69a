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
