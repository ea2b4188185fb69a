import { readFileSync } from 'node:fs';
import type { LifecycleEvent, LifecycleEventType } from '@kas/core';
import { CliError } from '../CliError.js';

const KNOWN: ReadonlySet<LifecycleEventType> = new Set<LifecycleEventType>([
  'app.starting',
  'app.started',
  'app.startFailed',
  'app.stopping',
  'app.stopped',
  'signal.received',
  'stage.begin',
  'stage.complete',
  'module.starting',
  'module.started',
  'module.stopping',
  'module.stopped',
  'module.failed',
  'module.drainCut',
  'module.stopOverdue',
  'module.mark',
  'module.progress',
  'shutdown.deadline',
]);

/**
 * Reads a trace written by `createTraceWriter`: one lifecycle event per line. Events of types this
 * version does not know are skipped (a newer core may add some); a line that is not an event fails.
 */
export function readTrace(path: string): LifecycleEvent[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(
      'KAS_GRAPH_TRACE_INVALID',
      `cannot read ${path}: ${(error as Error).message}`,
      'give the path of a trace file: one written by kas --trace-file <file> (or an app with AppOptions.traceFile)',
      { cause: error },
    );
  }
  const events: LifecycleEvent[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const fail = (problem: string): never => {
      throw new CliError(
        'KAS_GRAPH_TRACE_INVALID',
        `${path}:${index + 1}: ${problem}`,
        'give a trace written by kas --trace-file <file> (AppOptions.traceFile): one JSON lifecycle event per line',
      );
    };
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      fail('not JSON');
    }
    const event = value as { type?: unknown; at?: unknown };
    if (
      typeof event !== 'object' ||
      event === null ||
      typeof event.type !== 'string' ||
      typeof event.at !== 'number'
    ) {
      fail('not a lifecycle event (needs "type" and a numeric "at")');
    }
    if (KNOWN.has(event.type as LifecycleEventType)) events.push(value as LifecycleEvent);
  });
  if (events.length === 0) fail0(path);
  return events;
}

function fail0(path: string): never {
  throw new CliError(
    'KAS_GRAPH_TRACE_INVALID',
    `${path} has no lifecycle events`,
    'give a trace of an app that ran',
  );
}
