import { exitProcess } from '@kas/core';
import type { Logger } from 'pino';

/** Why kas ends before `app.run()`: a stop signal while it loaded, or a refused command line or config. */
export type NotStartedReason = 'signal' | 'refused';

/** The exit code of each (a run's own codes are `EXIT_CODES`) and what it means. */
const EXITS: Readonly<Record<NotStartedReason, readonly [code: number, meaning: string]>> = {
  signal: [0, 'a stop signal came while kas was loading: nothing was started'],
  refused: [2, 'kas did not start (a bad command line or config, see the line above): nothing was started'],
};

/** Ends a kas that did not start as a run ends: its `app.exiting` line, then the exit (`exitProcess`). */
export function exitWithoutStart(log: Logger, reason: NotStartedReason): Promise<never> {
  const [code, meaning] = EXITS[reason];
  return exitProcess(log, code, meaning);
}
