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

/** Polls `condition` every 10 ms until it holds, failing after `timeoutMs`. */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const startedAt = Date.now();
  while (!(await condition())) {
    if (Date.now() - startedAt > timeoutMs)
      throw new Error(`condition not met within ${timeoutMs}ms: ${condition}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
