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

/** What a field of an event must be; `?` when it may be left out. */
type FieldShape = 'string' | 'string[]' | 'number?';

/**
 * The fields the timeline reads, by event type: a trace line of a known type without them is refused
 * with its line, rather than failing inside the drawing as a bug of kas-graph.
 */
const FIELDS: Partial<Record<LifecycleEventType, Readonly<Record<string, FieldShape>>>> = {
  'app.starting': { modules: 'string[]', wallClock: 'number?' },
  'app.stopping': { reason: 'string' },
  'signal.received': { signal: 'string', action: 'string' },
  'module.starting': { module: 'string' },
  'module.started': { module: 'string' },
  'module.stopping': { module: 'string' },
  'module.stopped': { module: 'string' },
  'module.failed': { module: 'string', 'error.message': 'string' },
  'module.drainCut': { module: 'string', reason: 'string' },
  'module.stopOverdue': { module: 'string', reason: 'string' },
  'module.mark': { module: 'string', name: 'string' },
  'shutdown.deadline': { pending: 'string[]' },
};

/** The first field of `event` that `FIELDS` says it needs and that is missing or of another type. */
function missingField(event: Record<string, unknown>, type: LifecycleEventType): string | undefined {
  for (const [path, shape] of Object.entries(FIELDS[type] ?? {})) {
    const value = path
      .split('.')
      .reduce<unknown>(
        (object, key) =>
          typeof object === 'object' && object !== null
            ? (object as Record<string, unknown>)[key]
            : undefined,
        event,
      );
    const isValid =
      shape === 'string'
        ? typeof value === 'string'
        : shape === 'string[]'
          ? Array.isArray(value) && value.every((item) => typeof item === 'string')
          : value === undefined || typeof value === 'number';
    if (!isValid)
      return `"${path}" (${shape === 'number?' ? 'a number' : shape === 'string' ? 'a string' : 'a list of strings'})`;
  }
  return undefined;
}

/**
 * Reads a trace written by `createTraceWriter`: one lifecycle event per line. Events of types this
 * version does not know are skipped (a newer core may add some); a line that is not an event, or an
 * event without a field the timeline reads, fails.
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
    if (!KNOWN.has(event.type as LifecycleEventType)) return;
    const missing = missingField(event as Record<string, unknown>, event.type as LifecycleEventType);
    if (missing !== undefined) fail(`event "${String(event.type)}" needs ${missing}`);
    events.push(value as LifecycleEvent);
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
