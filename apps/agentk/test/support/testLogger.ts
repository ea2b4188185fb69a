import { type Logger, pino } from 'pino';

/** Silent, unless TEST_LOG_LEVEL is set (e.g. `TEST_LOG_LEVEL=debug npx vitest run`) to read what happened. */
export function testLogger(): { logger?: Logger } {
  const level = process.env.TEST_LOG_LEVEL;
  return level === undefined ? {} : { logger: pino({ level }) };
}
