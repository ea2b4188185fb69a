import type { Logger } from 'pino';
import type { DependencyContainer } from 'tsyringe';
import { CoreError } from '../errors/CoreError.js';
import { DrainCutError } from '../errors/DrainCutError.js';
import type { CutReason, EventError, LifecycleEvent } from '../events/LifecycleEvent.js';
import { toEventError } from '../events/LifecycleEvent.js';
import { formatDuration } from '../module/Duration.js';
import type {
  AnyModule,
  LifecycleContext,
  MarkData,
  ModuleHooks,
  ProgressRecord,
} from '../module/ModuleDefinition.js';
import type { PlannedModule } from '../plan/AppPlan.js';
import type { ModuleState } from './AppState.js';

/** A lifecycle event before the app stamps its time. */
export type Unstamped<E = LifecycleEvent> = E extends LifecycleEvent ? Omit<E, 'at'> : never;

/** Hands a module's progress record on to whoever watches (see `LifecycleListeners`). */
export type ProgressPublisher = (module: string, progress: ProgressRecord) => void;

/** A module's latest progress record and when it came (monotonic milliseconds). */
export interface LatestProgress {
  readonly progress: ProgressRecord;
  readonly at: number;
}

/** One module of a running app: its state, its instance once created, and its start and stop. */
export class ModuleRuntime {
  #state: ModuleState = 'idle';
  #instance: (ModuleHooks & { readonly provides?: Readonly<Record<string, unknown>> }) | undefined;
  #stopControl: AbortController | undefined;
  #stopStartedAt = 0;
  #stopDeadline = 0;
  #overdueTimer: NodeJS.Timeout | undefined;
  /** The wait for this module's stop has been ended (a third signal, the deadline): no overdue warning. */
  #isWaitEnded = false;
  #latestProgress: LatestProgress | undefined;

  constructor(
    readonly definition: AnyModule,
    readonly planned: PlannedModule,
    readonly log: Logger,
    /** Where the module's `provides` are registered. */
    private readonly appContainer: DependencyContainer,
    /** The parent of the module's own scope (see `createApp`). */
    private readonly scopeParent: DependencyContainer,
    private readonly emit: (event: Unstamped) => void,
    private readonly publishProgress: ProgressPublisher,
  ) {}

  get name(): string {
    return this.planned.name;
  }

  get state(): ModuleState {
    return this.#state;
  }

  /** The module's latest progress record, if it published one. */
  get latestProgress(): LatestProgress | undefined {
    return this.#latestProgress;
  }

  /**
   * Creates and starts the module. Resolves true when it is running; false when it failed, timed out or
   * was aborted (the failure is emitted and returned in `error`).
   */
  async start(
    stage: string,
    abort: AbortSignal,
  ): Promise<{ readonly isRunning: boolean; readonly error?: unknown }> {
    this.#state = 'starting';
    const startedAt = performance.now();
    this.emit({ type: 'module.starting', module: this.name, stage });
    const control = new AbortController();
    const onAbort = () => control.abort(abort.reason);
    abort.addEventListener('abort', onAbort, { once: true });
    let timer: NodeJS.Timeout | undefined;
    let phase: 'create' | 'start' = 'create';
    try {
      const started = (async () => {
        const instance = this.create();
        phase = 'start';
        await instance.start(this.context(control.signal, Date.now() + this.planned.startBudgetMs));
      })();
      // Raced, so that a module that ignores its signal cannot hold the app forever.
      const givenUp = new Promise<never>((_, reject) => {
        const onGiveUp = () => settleAfterAbort(started, control.signal.reason, reject);
        if (control.signal.aborted) onGiveUp();
        else control.signal.addEventListener('abort', onGiveUp, { once: true });
      });
      timer = setTimeout(() => {
        control.abort(
          new CoreError(
            'KAS_START_TIMEOUT',
            `module "${this.name}" did not start within its start budget of ${formatDuration(this.planned.startBudgetMs)}`,
            `find what "${this.name}" waits for at start (its log lines say), or raise its startBudget`,
          ),
        );
      }, this.planned.startBudgetMs);
      // Once the signal fired, a rejection is the module answering it: `givenUp` reports it with the reason.
      const startedUnlessAborted = started.catch((error: unknown) => {
        if (control.signal.aborted) return givenUp;
        throw error;
      });
      await Promise.race([startedUnlessAborted, givenUp]);
      this.#state = 'running';
      this.emit({
        type: 'module.started',
        module: this.name,
        stage,
        durationMs: performance.now() - startedAt,
      });
      return { isRunning: true };
    } catch (error) {
      this.#state = 'failed';
      this.emit({
        type: 'module.failed',
        module: this.name,
        stage,
        phase: 'start',
        durationMs: performance.now() - startedAt,
        error: failedEventError(this.name, phase, error),
      });
      return { isRunning: false, error };
    } finally {
      clearTimeout(timer);
      abort.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Stops the module if it is running: its signal fires at its drain budget, or earlier by `cut`.
   * Resolves false when the module threw while stopping. Never rejects.
   */
  async stop(stage: string, preCut: CutReason | undefined, deadline: number): Promise<boolean> {
    const instance = this.#instance;
    if (this.#state !== 'running' || instance === undefined) return true;
    this.#state = 'stopping';
    this.#stopStartedAt = performance.now();
    const control = new AbortController();
    this.#stopControl = control;
    this.emit({
      type: 'module.stopping',
      module: this.name,
      stage,
      drainBudgetMs: this.planned.drainBudgetMs,
    });
    this.#stopDeadline = deadline;
    const timer = setTimeout(() => this.cut(stage, 'budget'), this.planned.drainBudgetMs);
    if (preCut !== undefined) this.cut(stage, preCut, true);
    try {
      await instance.stop(
        this.context(control.signal, Math.min(deadline, Date.now() + this.planned.drainBudgetMs)),
      );
      this.#state = 'stopped';
      this.emit({
        type: 'module.stopped',
        module: this.name,
        stage,
        durationMs: performance.now() - this.#stopStartedAt,
      });
      return true;
    } catch (error) {
      this.#state = 'failed';
      this.emit({
        type: 'module.failed',
        module: this.name,
        stage,
        phase: 'stop',
        durationMs: performance.now() - this.#stopStartedAt,
        error: failedEventError(this.name, 'stop', error),
      });
      return false;
    } finally {
      clearTimeout(timer);
      clearTimeout(this.#overdueTimer);
    }
  }

  /**
   * Fires the module's stop signal: it must cut what is left. No effect unless it is stopping.
   * `atStopStart`: the stop was forced before this module's stop began.
   */
  cut(stage: string, reason: CutReason, atStopStart = false): void {
    const control = this.#stopControl;
    if (this.#state !== 'stopping' || control === undefined || control.signal.aborted) return;
    const afterMs = performance.now() - this.#stopStartedAt;
    control.abort(
      new DrainCutError(
        `module "${this.name}" was cut after ${formatDuration(afterMs)} (${reason})`,
        reason === 'budget'
          ? `raise the drainBudget of "${this.name}" if its work needs longer`
          : 'none: the stop was forced',
        reason,
      ),
    );
    this.emit({
      type: 'module.drainCut',
      module: this.name,
      stage,
      reason,
      afterMs,
      ...(atStopStart ? { preCut: true as const } : {}),
    });
    // A module that ignores its cut holds every stage after it until the deadline: say so while it does
    // (a cut at the deadline is reported as KAS_STOP_STUCK instead).
    if (reason !== 'deadline' && !this.#isWaitEnded)
      this.#overdueTimer = setTimeout(() => this.warnOverdue(stage, reason), STOP_CUT_GRACE_MS);
  }

  /**
   * The stop no longer waits for this module (a third stop signal, or the deadline): a module that is still
   * stopping then is reported as KAS_STOP_STUCK, and no overdue warning says the stages after it wait.
   */
  endWait(): void {
    this.#isWaitEnded = true;
    clearTimeout(this.#overdueTimer);
  }

  /** Reports that the module has not returned from its stop some time after its signal fired. */
  private warnOverdue(stage: string, reason: CutReason): void {
    const deadlineInMs = Math.round(this.#stopDeadline - Date.now());
    // Past the deadline, or the wait ended by a third signal: KAS_STOP_STUCK follows.
    if (this.#state !== 'stopping' || deadlineInMs <= 0 || this.#isWaitEnded) return;
    this.emit({
      type: 'module.stopOverdue',
      module: this.name,
      stage,
      reason,
      sinceCutMs: STOP_CUT_GRACE_MS,
      deadlineInMs,
    });
  }

  /** True when the module is stopping and its stop signal has fired. */
  get isCut(): boolean {
    return this.#stopControl?.signal.aborted ?? false;
  }

  private create(): ModuleHooks & { readonly provides?: Readonly<Record<string, unknown>> } {
    const container = this.scopeParent.createChildContainer();
    const needs: Record<string, unknown> = {};
    // From the app's container, where every needed token is registered (the plan checked): resolving
    // through the scope would leave an entry per token in `scopeParent` (tsyringe's lookups add one), and
    // every later scope would walk them.
    for (const [key, token] of Object.entries<symbol>(this.definition.needs ?? {}))
      needs[key] = this.appContainer.resolve(token);
    const instance: unknown = this.definition.create({ ...needs, log: this.log, container });
    checkInstance(this.name, instance);
    for (const [key, token] of Object.entries<symbol>(this.definition.provides ?? {})) {
      if (instance.provides === undefined || !(key in instance.provides)) {
        throw new CoreError(
          'KAS_START_FAILED',
          `module "${this.name}" declares provides.${key} but its instance has no provides.${key}`,
          `return { provides: { ${key}: ... }, start, stop } from the factory of "${this.name}"`,
        );
      }
      this.appContainer.register(token, { useValue: instance.provides[key] });
    }
    this.#instance = instance;
    return instance;
  }

  private context(signal: AbortSignal, deadline: number): LifecycleContext {
    return {
      log: this.log,
      signal,
      deadline,
      mark: (name: string, data?: MarkData) =>
        this.emit({ type: 'module.mark', module: this.name, name, ...(data === undefined ? {} : { data }) }),
      progress: (progress: ProgressRecord) => {
        this.#latestProgress = { progress, at: performance.now() };
        this.publishProgress(this.name, progress);
      },
    };
  }
}

/**
 * How long after its stop signal fired a module may take to return before the runner warns that it holds
 * the stop (it is still waited for, until the shutdown deadline).
 */
export const STOP_CUT_GRACE_MS = 2_000;

/**
 * A module's error as its `module.failed` event carries it. A `CoreError` (kas's, or a module's own
 * subclass) keeps its code and fix; any other error is a bug in the module and gets a stable code
 * (`KAS_START_FAILED` or `KAS_STOP_FAILED`) and a fix beside its own stack, which says where it threw. A
 * code it had (a Node system error's `ENOENT`) stays in its message.
 */
function failedEventError(module: string, phase: 'create' | 'start' | 'stop', error: unknown): EventError {
  const own = toEventError(error);
  if (error instanceof CoreError) return own;
  const fix = {
    create: `fix the factory (create) of "${module}" (the stack of its error says where it threw); the modules already started are stopped by the stop plan`,
    start: `fix the start of "${module}" (the stack of its error says where it threw); the modules already started are stopped by the stop plan`,
    stop: `fix the stop of "${module}" (the stack of its error says where it threw); the other modules went on stopping`,
  }[phase];
  // The message stays the module's own: the event and its log line name the module and the phase (a
  // factory's throw is a failed start, said to come from the factory).
  const message = own.code === undefined ? own.message : `${own.message} (${own.code})`;
  return {
    ...own,
    message: phase === 'create' ? `its factory (create) threw: ${message}` : message,
    code: phase === 'stop' ? 'KAS_STOP_FAILED' : 'KAS_START_FAILED',
    fix,
  };
}

/**
 * Fails a start at once, naming the module, when its factory returned no instance with a start and a
 * stop function (a JavaScript module, or an `async` factory): otherwise it would fail with "instance.stop
 * is not a function" at the stop, from inside the runner, long after the start looked fine.
 */
function checkInstance(
  module: string,
  instance: unknown,
): asserts instance is ModuleHooks & {
  readonly provides?: Readonly<Record<string, unknown>>;
} {
  const factory = `the factory (create) of module "${module}"`;
  if (typeof instance !== 'object' || instance === null) {
    throw new CoreError(
      'KAS_START_FAILED',
      `${factory} returned ${instance === null ? 'null' : typeof instance}, not an instance`,
      `return { start, stop } (two async functions) from the create of "${module}"`,
    );
  }
  if (typeof (instance as { then?: unknown }).then === 'function') {
    throw new CoreError(
      'KAS_START_FAILED',
      `${factory} returned a Promise: create is called synchronously, its instance is used at once`,
      `make the create of "${module}" synchronous (not async) and do the asynchronous setup in its start`,
    );
  }
  const missing = (['start', 'stop'] as const).filter(
    (hook) => typeof (instance as Record<string, unknown>)[hook] !== 'function',
  );
  if (missing.length > 0) {
    const got = missing.map(
      (hook) => `${hook}: ${describeValue((instance as Record<string, unknown>)[hook])}`,
    );
    throw new CoreError(
      'KAS_START_FAILED',
      `${factory} returned an instance without ${missing.join(' and ')} as a function (${got.join(', ')})`,
      `give the instance "${module}" returns both hooks: start(ctx) and stop(ctx), each returning a Promise`,
    );
  }
}

/** `undefined`, `a string`, `an object`: what a hook was instead of a function. */
function describeValue(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  const type = typeof value;
  return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}

/** How long a module whose start was aborted gets to settle before it is given up. */
export const START_ABORT_GRACE_MS = 1_000;

/**
 * After a start's signal fired: give the module a moment to answer it. If its start still resolves, the
 * race is won by `started` and the module counts as running (so a rollback stops it); if it rejects, its
 * own error (which usually says more, e.g. the address it could not reach) becomes the cause.
 */
function settleAfterAbort(started: Promise<void>, reason: unknown, reject: (error: unknown) => void): void {
  const grace = setTimeout(() => reject(reason), START_ABORT_GRACE_MS);
  started.then(
    () => clearTimeout(grace),
    (own: unknown) => {
      clearTimeout(grace);
      if (!(reason instanceof CoreError) || own === reason) return reject(own);
      const detail = own instanceof Error ? own.message : String(own);
      reject(new CoreError(reason.code, `${reason.message}: ${detail}`, reason.fix, { cause: own }));
    },
  );
}
