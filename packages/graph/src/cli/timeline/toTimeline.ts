import type { LifecycleEvent } from '@kas/core';
import { drawableText } from './drawableText.js';

/** A bar of one module's row: from `startS` to `endS` seconds after the origin. */
export interface TimelineBar {
  readonly module: string;
  readonly phase: 'starting' | 'running' | 'stopping';
  readonly startS: number;
  readonly endS: number;
  /** How the phase ended: `done`, `failed`, `cut` (its drain was cut), or `unfinished` when the trace ends first. */
  readonly outcome: 'done' | 'failed' | 'cut' | 'unfinished';
}

/** A moment: on a module's row (marks, drain cuts, failures) or across all rows (signals, stop, deadline). */
export interface TimelineMark {
  readonly module?: string;
  readonly atS: number;
  readonly kind: 'signal' | 'stop' | 'deadline' | 'mark' | 'drain cut' | 'stop overdue' | 'failed';
  readonly label: string;
}

/** The chart's data; its names and labels are as drawn, control characters written as escapes (`drawableText`). */
export interface Timeline {
  /** Row order: the app's modules in the order the trace names them. */
  readonly modules: readonly string[];
  readonly bars: readonly TimelineBar[];
  readonly marks: readonly TimelineMark[];
  /** What t = 0 is, for the axis title. */
  readonly origin: string;
  /** `app.starting`'s wall clock, when the trace has it. */
  readonly wallClock?: number;
}

/** Turns a trace into bars and marks; `isStopOnly` puts t = 0 at the stop and leaves out what came before. */
export function toTimeline(events: readonly LifecycleEvent[], isStopOnly: boolean): Timeline {
  const starting = events.find((event) => event.type === 'app.starting');
  const stopping = events.find((event) => event.type === 'signal.received' || event.type === 'app.stopping');
  const originEvent = isStopOnly ? stopping : undefined;
  const originAt = originEvent?.at ?? starting?.at ?? (events[0]?.at as number);
  const endAt = Math.max(...events.map((event) => event.at));
  const seconds = (at: number) => (at - originAt) / 1000;

  const modules: string[] = starting?.type === 'app.starting' ? [...starting.modules] : [];
  const open = new Map<string, { phase: TimelineBar['phase']; at: number; isCut: boolean }>();
  const bars: TimelineBar[] = [];
  const marks: TimelineMark[] = [];
  const close = (module: string, at: number, outcome: TimelineBar['outcome']) => {
    const phase = open.get(module);
    if (phase === undefined) return;
    open.delete(module);
    bars.push({
      module,
      phase: phase.phase,
      startS: seconds(phase.at),
      endS: seconds(at),
      outcome: phase.isCut && outcome === 'done' ? 'cut' : outcome,
    });
  };
  const begin = (module: string, phase: TimelineBar['phase'], at: number) => {
    if (!modules.includes(module)) modules.push(module);
    close(module, at, 'done');
    open.set(module, { phase, at, isCut: false });
  };
  let hasSignal = false;
  for (const event of events) {
    switch (event.type) {
      case 'module.starting':
        begin(event.module, 'starting', event.at);
        break;
      case 'module.started':
        begin(event.module, 'running', event.at);
        break;
      case 'module.stopping':
        begin(event.module, 'stopping', event.at);
        break;
      case 'module.stopped':
        close(event.module, event.at, 'done');
        break;
      case 'module.failed':
        close(event.module, event.at, 'failed');
        marks.push({
          module: event.module,
          atS: seconds(event.at),
          kind: 'failed',
          label: `failed: ${event.error.message}`,
        });
        break;
      case 'module.drainCut': {
        const phase = open.get(event.module);
        if (phase !== undefined) phase.isCut = true;
        marks.push({
          module: event.module,
          atS: seconds(event.at),
          kind: 'drain cut',
          label: `cut (${event.reason})`,
        });
        break;
      }
      case 'module.stopOverdue':
        marks.push({
          module: event.module,
          atS: seconds(event.at),
          kind: 'stop overdue',
          label: `stop overdue: ignores its cut (${event.reason})`,
        });
        break;
      case 'module.mark':
        marks.push({ module: event.module, atS: seconds(event.at), kind: 'mark', label: event.name });
        break;
      case 'signal.received':
        hasSignal = true;
        marks.push({ atS: seconds(event.at), kind: 'signal', label: `${event.signal} (${event.action})` });
        break;
      case 'app.stopping':
        if (!hasSignal) marks.push({ atS: seconds(event.at), kind: 'stop', label: `stop (${event.reason})` });
        break;
      case 'shutdown.deadline':
        marks.push({
          atS: seconds(event.at),
          kind: 'deadline',
          label: `deadline: cut ${event.pending.join(', ') || 'nothing'}`,
        });
        break;
      case 'app.starting':
      case 'app.started':
      case 'app.startFailed':
      case 'app.stopped':
      case 'stage.begin':
      case 'stage.complete':
      case 'module.progress': // counts, not moments: the live view shows them
        break;
      default: {
        const unhandled: never = event;
        throw new Error(`unhandled lifecycle event ${JSON.stringify(unhandled)}`);
      }
    }
  }
  for (const module of [...open.keys()]) close(module, endAt, 'unfinished');

  const visibleBars = isStopOnly
    ? bars.filter((bar) => bar.endS > 0).map((bar) => ({ ...bar, startS: Math.max(0, bar.startS) }))
    : bars;
  const visibleMarks = isStopOnly ? marks.filter((mark) => mark.atS >= 0) : marks;
  // Names and labels as the chart can draw them: a control character from the trace (ESC in an error
  // message) would make the SVG unparseable.
  return {
    modules: modules.map(drawableText),
    bars: visibleBars.map((bar) => ({ ...bar, module: drawableText(bar.module) })),
    marks: visibleMarks.map(({ module, label, ...mark }) => ({
      ...mark,
      ...(module === undefined ? {} : { module: drawableText(module) }),
      label: drawableText(label),
    })),
    origin:
      originEvent !== undefined
        ? 'the stop began'
        : starting !== undefined
          ? 'app.starting'
          : 'the first event',
    ...(starting?.type === 'app.starting' ? { wallClock: starting.wallClock } : {}),
  };
}
