import { resolve } from 'node:path';
import type { CutReason, LifecycleEvent } from '@kas/core';
import { applyLifecycleEvent, applyLifecycleEvents, type LifecycleSnapshot } from '@kas/core/snapshot';
import type { Command } from 'commander';
import pc from 'picocolors';
import { CliError } from '../CliError.js';
import type { CliIo } from '../CliIo.js';
import { fitToTerminal, type TerminalSize } from '../watch/fitToTerminal.js';
import { openTraceRecording, type TraceRecording } from '../watch/openTraceRecording.js';
import { lifecycleStreamUrl, readLifecycleStream } from '../watch/readLifecycleStream.js';
import {
  describeForcedBy,
  formatMs,
  formatProgress,
  type LifecycleView,
  renderLifecycle,
} from '../watch/renderLifecycle.js';
import { watchExitCode } from '../watch/watchExitCode.js';

/** Events after which plain mode prints the whole view again: the moments the plan moves. */
const VIEW_MOMENTS: ReadonlySet<LifecycleEvent['type']> = new Set([
  'app.stopping',
  'stage.begin',
  'stage.complete',
  'app.stopped',
]);

/** `kas-graph watch <url>`: a replica's stop plan, live, from its `/debug/lifecycle/events` stream. */
export function addWatchCommand(program: Command, io: CliIo, exit: (code: number) => void): void {
  program
    .command('watch')
    .description(
      "draw a kas replica's stop plan live from its observability listener (observability.debug: true): stages, states, drain budgets counting down, progress; until the replica has stopped",
    )
    .argument('<url>', "the observability listener, e.g. http://127.0.0.1:8151 (or the stream's own URL)")
    .option(
      '--plain',
      'print plain lines (the default when stdout is not a terminal): the view at each stage change, a line per event',
    )
    .option(
      '--record <file>',
      'also write every lifecycle event it receives to <file> as it comes, one JSON line each: a trace that kas-graph timeline draws',
    )
    .action(async (address: string, options: { readonly plain?: boolean; readonly record?: string }) => {
      const url = lifecycleStreamUrl(address);
      // opened before connecting: a path that cannot be written fails before the stop it would miss
      const recording =
        options.record === undefined
          ? undefined
          : openTraceRecording(options.record, resolve(io.cwd, options.record));
      // Ctrl-C ends the watch as before (the file has every event so far), after saying what it recorded
      const onInterrupt = () => {
        process.off('SIGINT', onInterrupt);
        if (recording !== undefined) io.write(`\n${describeRecording(recording)}\n`);
        process.kill(process.pid, 'SIGINT');
      };
      if (recording !== undefined) process.on('SIGINT', onInterrupt);
      // A pty that reports no size (script(1) without a terminal, some CI runners) cannot be redrawn in:
      // log-update would draw nothing into zero rows.
      const terminalSize = (): TerminalSize => ({
        rows: process.stdout.rows ?? 0,
        columns: process.stdout.columns ?? 0,
      });
      const isLive =
        io.isTerminal === true &&
        options.plain !== true &&
        terminalSize().rows > 0 &&
        terminalSize().columns > 0;
      const colors = pc.createColors(isLive);
      let forcedBy: CutReason | undefined;
      const view = (): LifecycleView => ({
        source: url.host,
        colors,
        ...(forcedBy === undefined ? {} : { forcedBy }),
      });
      let snapshot: LifecycleSnapshot | undefined;
      // Live, events are folded once per frame, not one by one: a stop of thousands of modules sends
      // thousands of events, and a terminal shows at most a frame every 200 ms.
      let pending: LifecycleEvent[] = [];
      const current = () => {
        if (snapshot !== undefined && pending.length > 0) {
          snapshot = applyLifecycleEvents(snapshot, pending);
          pending = [];
        }
        return snapshot;
      };
      let offsetMs = 0;
      const now = () => {
        const shown = current();
        return shown?.state === 'stopped' ? shown.at : performance.now() + offsetMs;
      };
      // Loaded here, not with the CLI: only a live view needs it.
      const logUpdate = isLive ? (await import('log-update')).createLogUpdate(process.stdout) : undefined;
      const draw = () => {
        const shown = current();
        if (shown !== undefined) {
          logUpdate?.(fitToTerminal(renderLifecycle(shown, now(), view()), terminalSize(), colors));
        }
      };
      const printView = () => {
        if (snapshot !== undefined) io.write(`\n${renderLifecycle(snapshot, now(), view())}\n\n`);
      };
      const redraw = isLive ? setInterval(draw, 200) : undefined;
      try {
        await readLifecycleStream(url, (message) => {
          if (message.kind === 'snapshot') {
            snapshot = message.snapshot;
            pending = [];
            offsetMs = snapshot.at - performance.now();
            if (isLive) draw();
            else printView();
            return undefined;
          }
          if (snapshot === undefined) return undefined;
          const { event } = message;
          recording?.record(event);
          if (event.type === 'app.stopped') forcedBy = event.forcedBy;
          if (isLive) {
            pending.push(event);
            if (event.type === 'app.stopped') draw();
          } else {
            snapshot = applyLifecycleEvent(snapshot, event);
            io.write(`${describeEvent(snapshot, event)}\n`);
            if (VIEW_MOMENTS.has(event.type) && !(event.type === 'stage.begin' && event.phase === 'start'))
              printView();
          }
          return event.type === 'app.stopped' ? 'done' : undefined;
        });
      } finally {
        clearInterval(redraw);
        if (logUpdate !== undefined) {
          // The last view whole, below the redrawn one: it stays in the scrollback, however tall it is.
          logUpdate.clear();
          logUpdate.done();
          const shown = current();
          if (shown !== undefined) io.write(`${renderLifecycle(shown, now(), view())}\n`);
        }
        process.off('SIGINT', onInterrupt);
        if (recording !== undefined) {
          recording.close();
          io.write(`${describeRecording(recording)}\n`);
        }
      }
      if (snapshot?.state !== 'stopped') {
        throw new CliError(
          'KAS_GRAPH_WATCH_FAILED',
          `${url.href}: the stream ended before the replica stopped`,
          'the replica exited without a clean stop (killed?) or the connection broke: read its log',
        );
      }
      exit(watchExitCode(snapshot.stop?.status ?? 'clean'));
    });
}

/** `recorded 42 lifecycle events to stop.jsonl`. */
function describeRecording(recording: TraceRecording): string {
  const events = recording.eventCount === 1 ? 'event' : 'events';
  return `recorded ${recording.eventCount} lifecycle ${events} to ${recording.path}`;
}

/** One event as a plain line: `[+1.2 s] stage.complete agent-grpc-server+tunnel-tracker (23 ms)`. */
function describeEvent(snapshot: LifecycleSnapshot, event: LifecycleEvent): string {
  const origin = snapshot.stop?.beganAt ?? snapshot.startedAt ?? snapshot.wallClockAt;
  const at = `[${event.at >= origin ? '+' : '-'}${formatMs(Math.abs(event.at - origin))}]`;
  switch (event.type) {
    case 'module.progress':
      return `${at} ${event.module} progress: ${formatProgress(event.progress)}`;
    case 'module.mark':
      return `${at} ${event.module} ${event.name}${event.data === undefined ? '' : ` ${formatProgress(event.data)}`}`;
    case 'stage.begin':
    case 'stage.complete':
      return `${at} ${event.type} ${event.phase} ${event.stage}${'durationMs' in event ? ` (${formatMs(event.durationMs)})` : ''}`;
    case 'module.starting':
    case 'module.started':
    case 'module.stopping':
    case 'module.stopped':
    case 'module.failed':
    case 'module.drainCut':
      return `${at} ${event.type} ${event.module}`;
    case 'module.stopOverdue':
      return `${at} ${event.type} ${event.module}: has not returned ${formatMs(event.sinceCutMs)} after its cut; the stages after it wait until the deadline in ${formatMs(event.deadlineInMs)}`;
    case 'app.stopping':
      return `${at} app.stopping (${event.reason}), shutdown deadline ${formatMs(event.deadlineMs)}`;
    case 'app.stopped':
      return `${at} app.stopped ${event.status}${event.forcedBy === undefined ? '' : ` ${describeForcedBy(event.forcedBy)}`} in ${formatMs(event.durationMs)}`;
    case 'signal.received':
      return `${at} signal ${event.signal} (${event.action})`;
    case 'app.starting':
    case 'app.started':
    case 'app.startFailed':
    case 'shutdown.deadline':
      return `${at} ${event.type}`;
    default: {
      const unhandled: never = event;
      return `${at} ${(unhandled as { type: string }).type}`;
    }
  }
}
