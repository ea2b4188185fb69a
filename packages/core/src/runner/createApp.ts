import 'reflect-metadata';
import { type Logger, pino } from 'pino';
import { type DependencyContainer, container as globalContainer } from 'tsyringe';
import { type CreatedTraceWriter, createTraceWriter } from '../events/createTraceWriter.js';
import type { CutReason, LifecycleListener, SubscribeOptions } from '../events/LifecycleEvent.js';
import { toEventError } from '../events/LifecycleEvent.js';
import { logLifecycleEvent } from '../events/logLifecycleEvent.js';
import type { Duration } from '../module/Duration.js';
import { toMilliseconds } from '../module/Duration.js';
import type { AnyModule } from '../module/ModuleDefinition.js';
import type { Token } from '../module/Token.js';
import type { AppComposition } from '../plan/AppComposition.js';
import type { AppPlan } from '../plan/AppPlan.js';
import { resolvePlan } from '../plan/resolvePlan.js';
import { createSnapshot } from '../snapshot/createSnapshot.js';
import type { LifecycleSnapshot } from '../snapshot/LifecycleSnapshot.js';
import { LiveSnapshot } from '../snapshot/LiveSnapshot.js';
import { type AppState, assertState, type ModuleState } from './AppState.js';
import { createDeferred } from './Deferred.js';
import { LifecycleListeners } from './LifecycleListeners.js';
import { ModuleRuntime } from './ModuleRuntime.js';
import { abortedError, runStartPlan } from './runStartPlan.js';
import { runUntilSignal } from './runUntilSignal.js';
import { type StopOutcome, StopRun, stoppedEvent } from './StopRun.js';

/** Extra time the default shutdown deadline allows beyond the stop plan's worst case. */
export const SHUTDOWN_DEADLINE_MARGIN_MS = 10_000;

/** How to run a composition. */
export interface AppOptions extends AppComposition {
  /** The app's logger; each module gets a child with `module` set. Default: pino at `info` to stdout. */
  readonly logger?: Logger;
  /** Bounds the whole stop. Default: the stop plan's worst case (its critical path) plus 10s. */
  readonly shutdownDeadline?: Duration;
  /** Writes every lifecycle event to this file as JSON lines (the input of `kas-graph timeline`). */
  readonly traceFile?: string;
  /** The parent of the app's container. Default: tsyringe's global container (never modified). */
  readonly container?: DependencyContainer;
}

/** A composed app: its plans, its state, and the ways to start and stop it. */
export interface App {
  readonly state: AppState;
  /** Both plans, as plain data. */
  plan(): AppPlan;
  /** The state of each module, in start order. */
  moduleStates(): ReadonlyMap<string, ModuleState>;
  /**
   * The app now, as data: both plans, each stage and module with its state, start time, budget and
   * deadline, and each module's latest progress record.
   */
  snapshot(): LifecycleSnapshot;
  /**
   * Subscribes to lifecycle events; returns the unsubscribe function. `{ withProgress: true }` adds the
   * modules' `module.progress` events.
   */
  subscribe(listener: LifecycleListener, options?: SubscribeOptions): () => void;
  /**
   * Starts stage by stage. On a failure (or a stop requested meanwhile) it stops every module that had
   * started, by the stop plan, and rejects with `KAS_START_FAILED` (or `KAS_START_ABORTED`).
   */
  start(): Promise<void>;
  /** Stops by the stop plan. Called again, it returns the same outcome. */
  stop(reason?: string): Promise<StopOutcome>;
  /** Resolves when the app has stopped, whoever asked (a signal, `stop()`, a failed start). */
  stopped(): Promise<StopOutcome>;
  /**
   * Cuts every drain at once: what a second signal does. Called again during the same stop (a third
   * signal), it stops waiting for modules that have not returned from their cut, as the shutdown deadline
   * does: every stage not yet begun begins, and the stop ends a second later, those modules `KAS_STOP_STUCK`.
   */
  cut(reason?: CutReason): void;
  /** Resolves a value from the app's container (what modules and the app provide). */
  get<T>(token: Token<T>): T;
  /**
   * Owns the process: starts, stops at the first SIGTERM, SIGINT or SIGHUP, cuts every drain at a second,
   * stops waiting for modules stuck in their stop at a third, and exits with `EXIT_CODES`.
   */
  run(): Promise<never>;
}

/**
 * Composes an app. Checks the whole graph first and throws a `GraphError` (code of the first problem,
 * every problem in `problems`) before anything is created.
 */
export function createApp(options: AppOptions): App {
  const plan = resolvePlan(options);
  // Synchronous: pino's default asynchronous stdout can put a line written from a timer after later ones,
  // and lifecycle lines must read back in order.
  const log = options.logger ?? pino({ level: 'info' }, pino.destination({ sync: true }));
  const deadlineMs =
    options.shutdownDeadline === undefined
      ? plan.stop.criticalPath.worstCaseMs + SHUTDOWN_DEADLINE_MARGIN_MS
      : toMilliseconds(options.shutdownDeadline, 'createApp: shutdownDeadline');
  const appContainer = (options.container ?? globalContainer).createChildContainer();
  for (const value of options.provide ?? []) appContainer.register(value.token, { useValue: value.useValue });
  // Modules' scopes are children of an empty container below the app's: tsyringe's createChildContainer
  // walks its parent's own registrations, and the app's grows by every module's provides (quadratic).
  const scopeParent = appContainer.createChildContainer();

  const listeners = new LifecycleListeners(log);
  const emit = listeners.emit;
  // Kept current from the app's own events, one entry per event (progress records are read from the
  // modules when asked); the snapshot itself is built only when asked for.
  const recorded = new LiveSnapshot(createSnapshot(plan, performance.now(), Date.now()));
  listeners.subscribe(recorded.apply.bind(recorded));
  const moduleLogs = new Map(plan.modules.map((module) => [module.name, log.child({ module: module.name })]));
  listeners.subscribe((event) =>
    logLifecycleEvent(('module' in event ? moduleLogs.get(event.module) : undefined) ?? log, event),
  );
  let trace: CreatedTraceWriter | undefined;
  if (options.traceFile !== undefined) {
    trace = createTraceWriter(options.traceFile);
    listeners.subscribe(trace.record, { withProgress: true });
  }

  const definitions = new Map<string, AnyModule>();
  for (const definition of options.modules) {
    if (!definitions.has(definition.name)) definitions.set(definition.name, definition);
  }
  const runtimes = new Map(
    plan.modules.map((module) => [
      module.name,
      new ModuleRuntime(
        definitions.get(module.name) as ModuleRuntime['definition'],
        module,
        moduleLogs.get(module.name) as Logger,
        appContainer,
        scopeParent,
        emit,
        listeners.publishProgress,
      ),
    ]),
  );

  let state: AppState = 'idle';
  const stopRequested = new AbortController();
  const stopped = createDeferred<StopOutcome>();
  let stopRun: StopRun | undefined;
  // A cut asked for before the stop run exists (a second signal while the start is being abandoned).
  let cutBeforeStop: CutReason | undefined;

  const runStop = async (reason: string): Promise<StopOutcome> => {
    state = 'stopping';
    emit({ type: 'app.stopping', reason, deadlineMs });
    stopRun = new StopRun(plan.stop.stages, runtimes, emit, deadlineMs);
    if (cutBeforeStop !== undefined) stopRun.cut(cutBeforeStop);
    const outcome = await stopRun.run();
    state = 'stopped';
    emit(stoppedEvent(outcome));
    trace?.close();
    stopped.resolve(outcome);
    return outcome;
  };

  const app: App = {
    get state() {
      return state;
    },
    plan: () => plan,
    moduleStates: () => new Map([...runtimes].map(([name, runtime]) => [name, runtime.state])),
    snapshot() {
      const now = performance.now();
      const current = recorded.snapshot();
      return {
        ...current,
        at: now,
        wallClock: Date.now(),
        wallClockAt: now,
        state,
        modules: current.modules.map((module) => {
          const latest = runtimes.get(module.name)?.latestProgress;
          return latest === undefined
            ? module
            : { ...module, progress: latest.progress, progressAt: latest.at };
        }),
      };
    },
    subscribe: (listener, subscribeOptions) => listeners.subscribe(listener, subscribeOptions),

    async start() {
      assertState(state, ['idle'], 'start');
      state = 'starting';
      const startedAt = performance.now();
      emit({
        type: 'app.starting',
        wallClock: Date.now(),
        modules: plan.modules.map((module) => module.name),
        plan,
      });
      const failure = await runStartPlan(plan.start.stages, runtimes, emit, stopRequested.signal);
      if (failure === undefined && !stopRequested.signal.aborted) {
        state = 'running';
        emit({ type: 'app.started', durationMs: performance.now() - startedAt });
        return;
      }
      const error = failure ?? abortedError('a stop was requested while the app was starting');
      emit({
        type: 'app.startFailed',
        durationMs: performance.now() - startedAt,
        error: toEventError(error),
      });
      await runStop(failure === undefined ? String(stopRequested.signal.reason) : 'start failed');
      throw error;
    },

    stop(reason = 'requested') {
      if (state === 'idle') {
        state = 'stopped';
        stopped.resolve({ status: 'clean', durationMs: 0, failed: [], cut: [] });
      } else if (state === 'starting') {
        if (!stopRequested.signal.aborted) stopRequested.abort(reason);
      } else if (state === 'running') {
        void runStop(reason);
      }
      return stopped.promise;
    },

    stopped: () => stopped.promise,

    cut(reason = 'signal') {
      if (stopRun !== undefined) stopRun.cut(reason);
      else if (state === 'starting' && stopRequested.signal.aborted) cutBeforeStop ??= reason;
    },

    get<T>(token: Token<T>): T {
      return appContainer.resolve<T>(token);
    },

    run() {
      return runUntilSignal(app, emit, log);
    },
  };
  return app;
}
