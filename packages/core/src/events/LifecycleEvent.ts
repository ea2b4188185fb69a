import { CoreError } from '../errors/CoreError.js';
import type { MarkData, ProgressRecord } from '../module/ModuleDefinition.js';
import type { AppPlan } from '../plan/AppPlan.js';

/** Why a stop signal fired: the module's drain budget ended, a second signal came, or the deadline passed. */
export type CutReason = 'budget' | 'signal' | 'deadline';

/** How a stop ended: `clean` when every module stopped by itself or at its drain budget. */
export type StopStatus = 'clean' | 'failed' | 'forced';

/** Whether a stage belongs to the start or the stop plan. */
export type Phase = 'start' | 'stop';

/** An error as it appears in events and traces. */
export interface EventError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  /** What to change, from a `CoreError` (or any error with a string `fix`). */
  readonly fix?: string;
  /**
   * The stack of an error that is not a `CoreError`: thrown by a module's own code without a kas code, it
   * is a bug in that module, and the stack says where. For a `CoreError` the message and fix say it.
   */
  readonly stack?: string;
}

interface At {
  /** Monotonic milliseconds (`performance.now()` of the process). */
  readonly at: number;
}

/**
 * Every lifecycle transition, as one typed union. Logs, metrics, traces and tests all subscribe to
 * these; subscribers end their `switch` with `const unhandled: never = event`.
 */
export type LifecycleEvent =
  | (At & {
      readonly type: 'app.starting';
      /** `Date.now()` at the same moment as `at`: maps the trace's monotonic times to wall-clock time. */
      readonly wallClock: number;
      readonly modules: readonly string[];
      /** Both plans, so a trace (or a stream) describes the stages it reports on. */
      readonly plan: AppPlan;
    })
  | (At & { readonly type: 'app.started'; readonly durationMs: number })
  | (At & { readonly type: 'app.startFailed'; readonly durationMs: number; readonly error: EventError })
  | (At & {
      readonly type: 'app.stopping';
      readonly reason: string;
      /** The shutdown deadline, from this moment. */
      readonly deadlineMs: number;
    })
  | (At & {
      readonly type: 'app.stopped';
      readonly durationMs: number;
      readonly status: StopStatus;
      /** What forced the stop, when `status` is `forced`: a second stop signal (`signal`) or the deadline. */
      readonly forcedBy?: CutReason;
      readonly failed: readonly string[];
      readonly cut: readonly string[];
    })
  | (At & {
      readonly type: 'signal.received';
      readonly signal: string;
      /** `stop`: the first signal; `cut`: the second, every drain cut; `abandon`: a later one, stuck stops no longer waited for. */
      readonly action: 'stop' | 'cut' | 'abandon';
    })
  | (At & {
      readonly type: 'stage.begin';
      readonly phase: Phase;
      readonly stage: string;
      readonly members: readonly string[];
    })
  | (At & {
      readonly type: 'stage.complete';
      readonly phase: Phase;
      readonly stage: string;
      readonly durationMs: number;
    })
  | (At & { readonly type: 'module.starting'; readonly module: string; readonly stage: string })
  | (At & {
      readonly type: 'module.started';
      readonly module: string;
      readonly stage: string;
      readonly durationMs: number;
    })
  | (At & {
      readonly type: 'module.stopping';
      readonly module: string;
      readonly stage: string;
      readonly drainBudgetMs: number;
    })
  | (At & {
      readonly type: 'module.stopped';
      readonly module: string;
      readonly stage: string;
      readonly durationMs: number;
    })
  | (At & {
      readonly type: 'module.failed';
      readonly module: string;
      readonly stage: string;
      readonly phase: Phase;
      readonly durationMs: number;
      readonly error: EventError;
    })
  | (At & {
      readonly type: 'module.drainCut';
      readonly module: string;
      readonly stage: string;
      readonly reason: CutReason;
      readonly afterMs: number;
      /**
       * True when the stop was forced (`reason`) before this module's stop began: its stop began with its
       * signal already fired, so nothing of its drain was cut short. Absent for a cut during its drain.
       */
      readonly preCut?: true;
    })
  | (At & {
      /**
       * The module has not returned from its stop `sinceCutMs` after its signal fired (`reason`, as on its
       * `module.drainCut`): it ignores its signal, and the stages after its stage wait for it until the
       * shutdown deadline, `deadlineInMs` from now. Once per stop; not sent when the cut was the deadline's, nor
       * once a third stop signal has ended the wait (KAS_STOP_STUCK follows then).
       */
      readonly type: 'module.stopOverdue';
      readonly module: string;
      readonly stage: string;
      readonly reason: CutReason;
      readonly sinceCutMs: number;
      readonly deadlineInMs: number;
    })
  | (At & {
      readonly type: 'module.mark';
      readonly module: string;
      readonly name: string;
      readonly data?: MarkData;
    })
  | (At & {
      readonly type: 'module.progress';
      readonly module: string;
      /** The module's latest progress record (it replaces the one before). */
      readonly progress: ProgressRecord;
    })
  | (At & {
      readonly type: 'shutdown.deadline';
      readonly deadlineMs: number;
      readonly pending: readonly string[];
    });

/** The `type` of a lifecycle event. */
export type LifecycleEventType = LifecycleEvent['type'];

/**
 * A subscriber to lifecycle events. It must not throw; a throwing listener is logged and skipped. It gets
 * `module.progress` events only when it subscribed with `{ withProgress: true }`.
 */
export type LifecycleListener = (event: LifecycleEvent) => void;

/** How `app.subscribe` delivers events. */
export interface SubscribeOptions {
  /**
   * Also deliver `module.progress` events (modules' progress records while they stop). Default false:
   * while no listener asks for them, a progress record costs only its storing as the module's latest.
   */
  readonly withProgress?: boolean;
}

/** Turns an error into its event form; an error that is not a `CoreError` keeps its stack. */
export function toEventError(error: unknown): EventError {
  if (error instanceof Error) {
    const { code, fix } = error as { code?: unknown; fix?: unknown };
    return {
      name: error.name,
      message: error.message,
      ...(typeof code === 'string' ? { code } : {}),
      ...(typeof fix === 'string' ? { fix } : {}),
      ...(error instanceof CoreError || error.stack === undefined ? {} : { stack: error.stack }),
    };
  }
  return { name: 'Error', message: String(error) };
}
