import { closeSync, openSync, writeSync } from 'node:fs';
import type { LifecycleEvent, LifecycleListener } from './LifecycleEvent.js';

/** Appends lifecycle events to a file as JSON lines, the input of `kas-graph timeline`. */
export interface CreatedTraceWriter {
  readonly record: LifecycleListener;
  /** Closes the file; later events are dropped. */
  close(): void;
}

/**
 * Opens (truncates) `path` and returns a listener that writes each event as one JSON line. Writes are
 * synchronous: lifecycle events are few, and a trace must be complete when the process exits.
 */
export function createTraceWriter(path: string): CreatedTraceWriter {
  let fd: number | undefined = openSync(path, 'w');
  return {
    record(event: LifecycleEvent) {
      if (fd !== undefined) writeSync(fd, `${JSON.stringify(event)}\n`);
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}
