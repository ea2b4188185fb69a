import type { CutReason, EventError, Phase, StopStatus } from '../events/LifecycleEvent.js';
import type { MarkData, ProgressRecord } from '../module/ModuleDefinition.js';
import type { AppPlan } from '../plan/AppPlan.js';
import type { AppState, ModuleState } from '../runner/AppState.js';

/**
 * Where a stage is: `waiting` (not begun), `running` (begun, some member still starting or stopping),
 * `completed`, `failed` (a start stage whose member failed) or `skipped` (a stop stage none of whose
 * members was running, so it never began).
 */
export type StageState = 'waiting' | 'running' | 'completed' | 'failed' | 'skipped';

/** One stage of either plan, now. Times are monotonic milliseconds, as events' `at`. */
export interface StageSnapshot {
  /** `start-<n>` for start stages; the stop plan's stage id for stop stages. */
  readonly id: string;
  readonly phase: Phase;
  readonly members: readonly string[];
  /** Stages that must complete before this one begins. */
  readonly follows: readonly string[];
  readonly state: StageState;
  /** How long the stage may take: its longest start budget, or its longest drain budget. */
  readonly budgetMs: number;
  readonly beganAt?: number;
  /** When the stage's budget (or the shutdown deadline, if sooner) runs out, once it has begun. */
  readonly deadlineAt?: number;
  readonly completedAt?: number;
  readonly durationMs?: number;
}

/** One module, now. */
export interface ModuleSnapshot {
  readonly name: string;
  readonly state: ModuleState;
  /** The stage of its current (or last) start or stop. */
  readonly stage?: string;
  /** When it entered its current state. */
  readonly since?: number;
  /** The budget of its current (or last) phase: its start budget, or its drain budget once stopping. */
  readonly budgetMs?: number;
  /** When its signal fires at the latest, while starting or stopping. */
  readonly deadlineAt?: number;
  /** How long its last finished phase took. */
  readonly durationMs?: number;
  /** Why its stop signal fired, if it did. */
  readonly cut?: CutReason;
  /**
   * When the runner reported that it had not returned from its stop some time after its cut
   * (`module.stopOverdue`): it ignores its signal and holds the stages after it.
   */
  readonly overdueAt?: number;
  readonly error?: EventError;
  /** Its latest progress record and when it came. */
  readonly progress?: ProgressRecord;
  readonly progressAt?: number;
  /** Its latest mark (`goaway.sent`, `tunnels.withdrawn`, ...). */
  readonly lastMark?: { readonly name: string; readonly at: number; readonly data?: MarkData };
}

/** The stop, once it began. */
export interface StopSnapshot {
  readonly reason: string;
  readonly beganAt: number;
  readonly deadlineMs: number;
  /** When the shutdown deadline passes. */
  readonly deadlineAt: number;
  readonly isDeadlinePassed: boolean;
  /** Set when the stop has ended. */
  readonly status?: StopStatus;
  /** With `status: 'forced'`: what forced the stop (a second stop signal, or the shutdown deadline). */
  readonly forcedBy?: CutReason;
  readonly durationMs?: number;
  readonly failed?: readonly string[];
  readonly cut?: readonly string[];
}

/**
 * The live state of an app: its plans, and each stage and module with its times, budget and deadline.
 * `app.snapshot()` returns it; a viewer keeps one current from a stream or a trace with
 * `applyLifecycleEvent`. Plain JSON data.
 */
export interface LifecycleSnapshot {
  /** The moment this snapshot describes, in monotonic milliseconds (`performance.now()` of the app). */
  readonly at: number;
  /** `Date.now()` at a monotonic moment: a wall-clock time is `wallClock + (t - wallClockAt)`. */
  readonly wallClock: number;
  readonly wallClockAt: number;
  readonly state: AppState;
  readonly plan: AppPlan;
  /** Start stages (in order), then stop stages (in plan order). */
  readonly stages: readonly StageSnapshot[];
  /** In start order. */
  readonly modules: readonly ModuleSnapshot[];
  readonly startedAt?: number;
  readonly stop?: StopSnapshot;
}
