import type { Logger } from 'pino';
import type { App } from './createApp.js';
import { exitProcess } from './exitProcess.js';
import { logProcessWarnings } from './logProcessWarnings.js';
import type { Unstamped } from './ModuleRuntime.js';
import type { StopOutcome } from './StopRun.js';

/** Exit codes of `app.run()`. */
export const EXIT_CODES = {
  /** Every module stopped, by itself or at its drain budget. */
  clean: 0,
  /** A module failed to start (the others were stopped). */
  startFailed: 1,
  /** A module threw while stopping. */
  stopFailed: 2,
  /** A second signal or the shutdown deadline cut the stop short. */
  forced: 3,
} as const;

/** What each exit code says, on the `app.exiting` line that ends every run. */
const EXIT_MEANINGS: Readonly<Record<number, string>> = {
  [EXIT_CODES.clean]: 'the app stopped clean',
  [EXIT_CODES.startFailed]: 'the app failed to start',
  [EXIT_CODES.stopFailed]: 'a module threw while stopping',
  [EXIT_CODES.forced]: 'the stop was forced (a second signal or the shutdown deadline)',
};

// SIGHUP too: a terminal that closes under kas (or an operator's `kill -HUP`) stops it by the plan rather
// than killing it at once, which would skip GOAWAY and leave its directory entries to expire.
const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

/** The exit code for a stop outcome. */
export function exitCodeFor(outcome: StopOutcome): number {
  if (outcome.status === 'forced') return EXIT_CODES.forced;
  return outcome.status === 'failed' ? EXIT_CODES.stopFailed : EXIT_CODES.clean;
}

/**
 * The runner's ownership of the process: the process's warnings go to the app's log
 * (`logProcessWarnings`); the first SIGTERM/SIGINT/SIGHUP stops the app, a second cuts every
 * drain, a third stops waiting for modules that did not return from their cut (as the shutdown deadline
 * does); then it ends the process with `exitProcess`.
 * The handlers stay installed until `process.exit`: a signal that comes while the exit code is being
 * logged would otherwise kill the process by its default action (143 instead of the code).
 */
export async function runUntilSignal(
  app: App,
  emit: (event: Unstamped) => void,
  log: Logger,
): Promise<never> {
  let signalCount = 0;
  let isExiting = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (isExiting) return; // the stop is over and its outcome logged: the exit code stands
    signalCount += 1;
    emit({
      type: 'signal.received',
      signal,
      action: signalCount === 1 ? 'stop' : signalCount === 2 ? 'cut' : 'abandon',
    });
    if (signalCount === 1) void app.stop(signal);
    else app.cut('signal');
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  logProcessWarnings(log);
  // Signal handlers do not keep Node's event loop alive; a running app must, even with no open sockets.
  const keepAlive = setInterval(() => {}, 2 ** 30);

  let code: number;
  try {
    await app.start();
    code = exitCodeFor(await app.stopped());
  } catch {
    // A failed start: the failing module's `module.failed` line (code, message, fix) already said why.
    code = signalCount > 0 ? exitCodeFor(await app.stopped()) : EXIT_CODES.startFailed;
  }
  isExiting = true;
  clearInterval(keepAlive);
  return exitProcess(log, code, EXIT_MEANINGS[code] ?? 'unknown');
}
