import type { Logger } from 'pino';

/**
 * Sends the process's warnings to the app's log as `process.warning` lines (`name`, `code`, `reason`)
 * instead of Node's unstructured stderr text, so a log pipeline sees them as it sees every other event.
 * DEP0123 ("Setting the TLS ServerName to an IP address") is a debug line: a TLS client connecting to an
 * IP address (gRPC's, to an agent's or a replica's address) sets it, Node ignores the name, and nothing
 * is wrong. Node's own printer is replaced; with `--no-warnings` (no printer to replace) nothing changes.
 */
export function logProcessWarnings(log: Logger): void {
  if (process.listenerCount('warning') === 0) return;
  process.removeAllListeners('warning');
  process.on('warning', (warning: Error & { code?: string }) => {
    const fields = {
      event: 'process.warning',
      name: warning.name,
      code: warning.code,
      reason: warning.message,
    };
    if (warning.code === 'DEP0123') log.debug(fields, `Node: ${warning.message}`);
    else log.warn(fields, `Node: ${warning.name}: ${warning.message}`);
  });
}
