import { type DestinationStream, pino } from 'pino';
import type { LogFormat } from './chooseLogFormat.js';

/**
 * Where kas's loggers write: stdout, synchronously, so lines keep their order (see @kas/core's default
 * logger) and the last line before an exit is not lost. Every logger of the process shares it. The pretty
 * format loads pino-pretty only when it is chosen; a production kas never loads it.
 */
export async function openLogDestination(format: LogFormat): Promise<DestinationStream> {
  const stdout = pino.destination({ sync: true });
  if (format === 'json') return stdout;
  const { prettyDestination } = await import('./prettyDestination.js');
  return prettyDestination(stdout, { colorize: process.stdout.isTTY === true });
}
