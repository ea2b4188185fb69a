import { type Duration, formatDuration, MAX_DURATION_MS, toMilliseconds } from '@kas/core';
import { z } from 'zod';

/** A duration after parsing: whole or fractional milliseconds. */
export type Milliseconds = number;

const EXPECTED = "expected a duration: milliseconds, or a string such as '500ms', '10s', '75m' or '1h'";

const got = (input: unknown) => ` (got ${JSON.stringify(input)})`;

const isDurationInput = (value: unknown): value is Duration =>
  typeof value === 'number' || typeof value === 'string';

/**
 * A duration option: milliseconds as a number, or a string such as `'500ms'`, `'10s'`, `'75m'` or `'1h'`
 * (`@kas/core`'s `Duration`, so the core and every config read durations alike). Parses to milliseconds;
 * 0 is allowed. Give a default with `.prefault('5s')`, which documents and parses the default as written.
 */
export function duration() {
  return z
    .custom<Duration>(isDurationInput, { error: (issue) => `${EXPECTED}${got(issue.input)}` })
    .transform((value, context): Milliseconds => {
      try {
        return toMilliseconds(value, 'duration');
      } catch (error) {
        const isTooLong = error instanceof Error && error.message.includes('is longer than the longest');
        const message = isTooLong
          ? `expected a duration of at most ${formatDuration(MAX_DURATION_MS)} (about 24.8 days: kas cannot time a longer one)${got(value)}`
          : `${EXPECTED}${got(value)}`;
        context.addIssue({ code: 'custom', message, input: value });
        return z.NEVER;
      }
    })
    .meta({ typeLabel: 'duration' });
}

/** A duration longer than 0: a period, an interval or a time-to-live that 0 would make meaningless. */
export function positiveDuration() {
  return duration()
    .refine((value) => value > 0, {
      error: (issue) => `expected a duration longer than 0${got(issue.input)}`,
    })
    .meta({ typeLabel: 'duration' });
}
