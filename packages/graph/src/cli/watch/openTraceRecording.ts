import { closeSync, openSync, writeSync } from 'node:fs';
import type { LifecycleEvent } from '@kas/core';
import { CliError } from '../CliError.js';

/** A trace file `watch --record` writes while it watches. */
export interface TraceRecording {
  /** The file, as the command line named it. */
  readonly path: string;
  /** How many events are in the file so far. */
  readonly eventCount: number;
  /** Appends `event` as one JSON line, at once: a watch cut short leaves every event it saw. */
  record(event: LifecycleEvent): void;
  /** Closes the file. */
  close(): void;
}

/**
 * Opens (truncates) `path` for the lifecycle events of a watch, written as `kas --trace-file` writes
 * them (one JSON event per line), so `kas-graph timeline` draws the file. Fails with
 * `KAS_GRAPH_OUTPUT_FAILED` when the file cannot be opened or written.
 */
export function openTraceRecording(path: string, absolutePath: string): TraceRecording {
  const failed = (problem: string, error: unknown) =>
    new CliError(
      'KAS_GRAPH_OUTPUT_FAILED',
      `--record ${path}: ${problem} (${(error as Error).message})`,
      'give a path in a directory that exists and is writable, on a filesystem with room',
      { cause: error },
    );
  let fd: number | undefined;
  try {
    fd = openSync(absolutePath, 'w');
  } catch (error) {
    throw failed('cannot open it for writing', error);
  }
  let eventCount = 0;
  return {
    path,
    get eventCount() {
      return eventCount;
    },
    record(event) {
      if (fd === undefined) return;
      try {
        writeSync(fd, `${JSON.stringify(event)}\n`);
      } catch (error) {
        throw failed(`cannot write event ${eventCount + 1} (${event.type})`, error);
      }
      eventCount += 1;
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}
