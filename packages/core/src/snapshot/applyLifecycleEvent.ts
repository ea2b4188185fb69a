import type { LifecycleEvent, Phase } from '../events/LifecycleEvent.js';
import { createSnapshot } from './createSnapshot.js';
import type { LifecycleSnapshot, ModuleSnapshot, StageSnapshot } from './LifecycleSnapshot.js';

/**
 * The snapshot after `event`: how the app keeps its own snapshot, and how a viewer keeps one current
 * from a stream of events or replays a trace. Pure, and free of runtime imports, so a browser can load
 * it too. `app.starting` starts over from the plan it carries.
 */
export function applyLifecycleEvent(snapshot: LifecycleSnapshot, event: LifecycleEvent): LifecycleSnapshot {
  const next = { ...snapshot, at: event.at };
  switch (event.type) {
    case 'app.starting':
      return { ...createSnapshot(event.plan, event.at, event.wallClock), state: 'starting' };
    case 'app.started':
      return { ...next, state: 'running', startedAt: event.at };
    case 'app.startFailed':
      return updateStages(next, (stage) =>
        stage.phase === 'start' && stage.state === 'running' ? { ...stage, state: 'failed' } : stage,
      );
    case 'app.stopping':
      return {
        ...next,
        state: 'stopping',
        stop: {
          reason: event.reason,
          beganAt: event.at,
          deadlineMs: event.deadlineMs,
          deadlineAt: event.at + event.deadlineMs,
          isDeadlinePassed: false,
        },
      };
    case 'app.stopped': {
      const { type: _type, at: _at, ...outcome } = event;
      const stop = next.stop ?? {
        reason: 'unknown',
        beganAt: event.at - event.durationMs,
        deadlineMs: event.durationMs,
        deadlineAt: event.at,
        isDeadlinePassed: false,
      };
      return updateStages({ ...next, state: 'stopped', stop: { ...stop, ...outcome } }, (stage) =>
        stage.phase === 'stop' && stage.state === 'waiting' ? { ...stage, state: 'skipped' } : stage,
      );
    }
    case 'stage.begin':
      return updateStage(next, event.phase, event.stage, (stage) => ({
        ...stage,
        state: 'running',
        beganAt: event.at,
        deadlineAt: Math.min(event.at + stage.budgetMs, stopDeadline(next, event.phase)),
      }));
    case 'stage.complete':
      return updateStage(next, event.phase, event.stage, (stage) => ({
        ...stage,
        state: 'completed',
        completedAt: event.at,
        durationMs: event.durationMs,
      }));
    case 'module.starting': {
      const budgetMs = next.plan.modules.find((module) => module.name === event.module)?.startBudgetMs ?? 0;
      return updateModule(next, event.module, (module) => ({
        name: module.name,
        state: 'starting',
        stage: event.stage,
        since: event.at,
        budgetMs,
        deadlineAt: event.at + budgetMs,
      }));
    }
    case 'module.started':
      return updateModule(next, event.module, (module) => ({
        ...withoutDeadline(module),
        state: 'running',
        since: event.at,
        durationMs: event.durationMs,
      }));
    case 'module.stopping':
      return updateModule(next, event.module, (module) => ({
        ...withoutDeadline(module),
        state: 'stopping',
        stage: event.stage,
        since: event.at,
        budgetMs: event.drainBudgetMs,
        deadlineAt: Math.min(event.at + event.drainBudgetMs, stopDeadline(next, 'stop')),
      }));
    case 'module.stopped':
      return updateModule(next, event.module, (module) => ({
        ...withoutDeadline(module),
        state: 'stopped',
        since: event.at,
        durationMs: event.durationMs,
      }));
    case 'module.failed':
      return updateModule(next, event.module, (module) => ({
        ...withoutDeadline(module),
        state: 'failed',
        stage: event.stage,
        since: event.at,
        durationMs: event.durationMs,
        error: event.error,
      }));
    case 'module.drainCut':
      return updateModule(next, event.module, (module) => ({ ...module, cut: event.reason }));
    case 'module.mark':
      return updateModule(next, event.module, (module) => ({
        ...module,
        lastMark: {
          name: event.name,
          at: event.at,
          ...(event.data === undefined ? {} : { data: event.data }),
        },
      }));
    case 'module.progress':
      return updateModule(next, event.module, (module) => ({
        ...module,
        progress: event.progress,
        progressAt: event.at,
      }));
    case 'shutdown.deadline':
      return next.stop === undefined ? next : { ...next, stop: { ...next.stop, isDeadlinePassed: true } };
    case 'signal.received':
      return next;
    default: {
      const unhandled: never = event;
      throw new Error(`unhandled lifecycle event ${JSON.stringify(unhandled)}`);
    }
  }
}

function stopDeadline(snapshot: LifecycleSnapshot, phase: Phase): number {
  return phase === 'stop' && snapshot.stop !== undefined
    ? snapshot.stop.deadlineAt
    : Number.POSITIVE_INFINITY;
}

function withoutDeadline(module: ModuleSnapshot): ModuleSnapshot {
  const { deadlineAt: _deadlineAt, ...rest } = module;
  return rest;
}

function updateStages(
  snapshot: LifecycleSnapshot,
  update: (stage: StageSnapshot) => StageSnapshot,
): LifecycleSnapshot {
  return { ...snapshot, stages: snapshot.stages.map(update) };
}

function updateStage(
  snapshot: LifecycleSnapshot,
  phase: Phase,
  id: string,
  update: (stage: StageSnapshot) => StageSnapshot,
): LifecycleSnapshot {
  return updateStages(snapshot, (stage) =>
    stage.phase === phase && stage.id === id ? update(stage) : stage,
  );
}

function updateModule(
  snapshot: LifecycleSnapshot,
  name: string,
  update: (module: ModuleSnapshot) => ModuleSnapshot,
): LifecycleSnapshot {
  return {
    ...snapshot,
    modules: snapshot.modules.map((module) => (module.name === name ? update(module) : module)),
  };
}
