import { EXIT_CODES, type StopStatus } from '@kas/core';
import { KAS_GRAPH_EXIT_CODES } from '../exitCodes.js';

/**
 * What `kas-graph watch` exits with once the replica has stopped, so a script can tell the stops apart:
 * 0 clean; 3 forced (a second stop signal or the shutdown deadline), kas's own code for it; 1 failed (a
 * module threw while stopping): kas exits 2 for that, but 2 is kas-graph's own failure (watch could not
 * read the stream), as for every command.
 */
export function watchExitCode(status: StopStatus): number {
  switch (status) {
    case 'clean':
      return KAS_GRAPH_EXIT_CODES.clean;
    case 'forced':
      return EXIT_CODES.forced;
    case 'failed':
      return KAS_GRAPH_EXIT_CODES.findings;
    default: {
      const unhandled: never = status;
      throw new Error(`unhandled stop status ${String(unhandled)}`);
    }
  }
}
