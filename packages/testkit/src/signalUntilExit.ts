import type { ProcessExit, RunningProcess } from './startProcess.js';

/**
 * Sends `signal` every `everyMs` from now until the process has exited (a signal storm, as a supervisor
 * or an impatient operator sends one); resolves with how it exited.
 */
export async function signalUntilExit(
  child: RunningProcess,
  signal: NodeJS.Signals = 'SIGTERM',
  everyMs = 2,
): Promise<ProcessExit> {
  let hasExited = false;
  void child.exited.then(() => {
    hasExited = true;
  });
  while (!hasExited) {
    child.signal(signal);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return child.exited;
}
