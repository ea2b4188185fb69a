import type { Level, Logger } from 'pino';
import { formatDuration } from '../module/Duration.js';
import { STOP_CUT_GRACE_MS } from '../runner/ModuleRuntime.js';
import { DEADLINE_GRACE_MS } from '../runner/StopRun.js';
import type { CutReason, LifecycleEvent } from './LifecycleEvent.js';

/**
 * Writes one pino line per lifecycle event, with `module`, stage and duration fields. The `event` field
 * carries the event type, so a log can be read back as a timeline. Pass the module's child logger for
 * a module's event (a child is made when `log` is not bound to that module).
 */
export function logLifecycleEvent(log: Logger, event: LifecycleEvent): void {
  const { type, at: _at, ...fields } = forTheLog(event);
  const [level, message] = describe(event);
  if (typeof fields.module === 'string') {
    const { module, ...rest } = fields;
    const target = log.bindings().module === module ? log : log.child({ module });
    target[level]({ event: type, ...rest }, message);
  } else {
    log[level]({ event: type, ...fields }, message);
  }
}

/**
 * The event's fields as its line carries them. The plan `app.starting` carries is for traces and live
 * views (`kas-graph plan` prints it for people); a mark's `name` is the line's `mark`, because pino's
 * `name` field is the logger's (`kas`), and a line with the key twice loses one of them.
 */
function forTheLog(event: LifecycleEvent): Readonly<Record<string, unknown>> {
  if (event.type === 'app.starting') {
    const { plan: _plan, ...rest } = event;
    return { ...rest };
  }
  if (event.type === 'module.mark') {
    const { name, ...rest } = event;
    return { ...rest, mark: name };
  }
  return { ...event };
}

/** Why a forced stop was forced, as its line says it. */
const FORCED_BY: Readonly<Record<CutReason, string>> = {
  signal: 'by a second stop signal',
  deadline: 'by the shutdown deadline',
  budget: 'by a drain budget',
};

/**
 * A stop forced by a second signal is the operator's choice, not a failure: a warning, unless a module
 * failed too. One forced by the deadline means something held the stop past its bound: an error.
 */
function describeStopped(event: Extract<LifecycleEvent, { type: 'app.stopped' }>): [Level, string] {
  const took = `in ${formatDuration(event.durationMs)}`;
  if (event.status !== 'forced') {
    return [event.status === 'clean' ? 'info' : 'error', `app stopped ${event.status} ${took}`];
  }
  const by = event.forcedBy === undefined ? '' : ` ${FORCED_BY[event.forcedBy]}`;
  const level = event.forcedBy === 'signal' && event.failed.length === 0 ? 'warn' : 'error';
  return [level, `app stopped forced${by} ${took}`];
}

function describe(event: LifecycleEvent): [Level, string] {
  switch (event.type) {
    case 'app.starting':
      return ['info', 'app starting'];
    case 'app.started':
      return ['info', `app started in ${formatDuration(event.durationMs)}`];
    case 'app.startFailed':
      // The module's own `module.failed` line is the one error line of a failed start; this says what follows.
      return ['info', 'app start failed: stopping the modules already started'];
    case 'app.stopping':
      return ['info', `app stopping (${event.reason})`];
    case 'app.stopped':
      return describeStopped(event);
    case 'signal.received':
      return [
        'warn',
        {
          stop: `${event.signal} received: stopping`,
          cut: `${event.signal} received during the stop (a second stop signal): cutting every drain; a third stops waiting for modules that do not return from their cut`,
          abandon: `${event.signal} received during the stop (a third stop signal): modules that have not returned from their cut ${formatDuration(STOP_CUT_GRACE_MS)} after it are no longer waited for; the stages left then begin, and the stop ends ${formatDuration(DEADLINE_GRACE_MS)} later`,
        }[event.action],
      ];
    case 'stage.begin':
      return ['info', `${event.phase} stage ${event.stage} begins`];
    case 'stage.complete':
      return ['info', `${event.phase} stage ${event.stage} complete in ${formatDuration(event.durationMs)}`];
    case 'module.starting':
      return ['info', 'module starting'];
    case 'module.started':
      return ['info', `module started in ${formatDuration(event.durationMs)}`];
    case 'module.stopping':
      return ['info', `module stopping (drain budget ${formatDuration(event.drainBudgetMs)})`];
    case 'module.stopped':
      return ['info', `module stopped in ${formatDuration(event.durationMs)}`];
    case 'module.failed':
      // A start abandoned because its stage failed (or a stop came) is a consequence, not a failure: the
      // failing module's line is the one error line of a failed start.
      if (event.phase === 'start' && event.error.code === 'KAS_START_ABORTED')
        return ['warn', `module start aborted: ${event.error.message}`];
      return ['error', `module failed to ${event.phase}: ${withFix(event.error.message, event.error.fix)}`];
    case 'module.drainCut':
      // A module whose stop began after the stop was forced lost nothing to the cut: the one warning is
      // the force itself (and the drains it did cut short).
      if (event.preCut === true)
        return [
          'info',
          `module stop began after the stop was forced (${event.reason}): its signal had already fired`,
        ];
      return ['warn', `module drain cut (${event.reason}) after ${formatDuration(event.afterMs)}`];
    case 'module.stopOverdue':
      return [
        'warn',
        `module has not returned from its stop ${formatDuration(event.sinceCutMs)} after its drain was cut (${event.reason}); ` +
          `the stages after "${event.stage}" wait for it until the shutdown deadline in ${formatDuration(event.deadlineInMs)}, ` +
          'or until a third stop signal. ' +
          `To fix: make the stop of "${event.module}" return when ctx.signal fires`,
      ];
    case 'module.mark':
      return ['info', event.name];
    case 'module.progress':
      return [
        'debug',
        `progress ${Object.entries(event.progress)
          .map(([key, value]) => `${key}=${value}`)
          .join(' ')}`,
      ];
    case 'shutdown.deadline':
      return [
        'error',
        `shutdown deadline of ${formatDuration(event.deadlineMs)} passed; cutting ${event.pending.join(', ') || 'nothing'}`,
      ];
    default: {
      const unhandled: never = event;
      throw new Error(`unhandled lifecycle event ${JSON.stringify(unhandled)}`);
    }
  }
}

/**
 * `message. To fix: fix`, or the message alone without a fix. A message that ends a sentence itself
 * (`Connection is closed.`, `is it running?`) keeps its own punctuation instead of getting a second.
 */
function withFix(message: string, fix: string | undefined): string {
  if (fix === undefined) return message;
  const sentence = message.trimEnd();
  return `${sentence}${/[.?!]$/.test(sentence) ? '' : '.'} To fix: ${fix}`;
}
