import type { Logger } from 'pino';

/**
 * Ends the process as every run ends: the `app.exiting` line with the exit code and what it means, the
 * logger flushed, then `process.exit`. `app.run()` ends this way; an app's entry calls it for a run that
 * ends before `app.run()` (a refused config, a stop signal while loading), so that run ends with the same
 * line. `process.exit` rather than an empty event loop: Node removes the process's signal handlers while
 * it tears down after the loop has emptied, and a signal in that moment would kill the process by its
 * default action (143 instead of the code); `process.exit` keeps them to the end.
 *
 * @example
 * await exitProcess(log, 2, 'the config was refused: nothing was started');
 */
export async function exitProcess(log: Logger, exitCode: number, meaning: string): Promise<never> {
  log.info({ event: 'app.exiting', exitCode }, `exiting with code ${exitCode}: ${meaning}`);
  await new Promise<void>((resolve) => log.flush(() => resolve()));
  process.exit(exitCode);
}
