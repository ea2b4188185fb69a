import { type Logger, pino } from 'pino';

/** A logger whose lines a test can read back; printed too when TEST_LOG_LEVEL is set. */
export interface CapturedLogs {
  readonly logger: Logger;
  /** Every line so far, parsed. */
  readonly lines: Record<string, unknown>[];
}

/** A debug-level logger collecting its lines (e.g. `TEST_LOG_LEVEL=debug npx vitest run` to see them). */
export function captureLogs(): CapturedLogs {
  const lines: Record<string, unknown>[] = [];
  const print = process.env.TEST_LOG_LEVEL !== undefined;
  const logger = pino(
    { level: 'debug' },
    {
      write: (line: string) => {
        lines.push(JSON.parse(line));
        if (print) process.stdout.write(line);
      },
    },
  );
  return { logger, lines };
}
