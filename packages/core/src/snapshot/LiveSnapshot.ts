import type { LifecycleEvent, Phase } from '../events/LifecycleEvent.js';
import { createSnapshot } from './createSnapshot.js';
import type { LifecycleSnapshot, ModuleSnapshot, StageSnapshot } from './LifecycleSnapshot.js';

type Header = Omit<LifecycleSnapshot, 'stages' | 'modules'>;

/**
 * A snapshot kept current event by event: each stage and module is found by its index, so an event
 * replaces one entry instead of copying every list (an app of ten thousand modules emits some forty
 * thousand events). `snapshot()` builds the immutable `LifecycleSnapshot`. The app keeps one; the fold
 * functions use one. Free of runtime imports outside this folder, like the rest of it.
 */
export class LiveSnapshot {
  #header: Header;
  #stages: StageSnapshot[];
  #modules: ModuleSnapshot[];
  #stageIndex = new Map<string, number>();
  #moduleIndex = new Map<string, number>();
  #startBudgetMs: Map<string, number> | undefined;

  constructor(snapshot: LifecycleSnapshot) {
    const { stages, modules, ...header } = snapshot;
    this.#header = header;
    this.#stages = [...stages];
    this.#modules = [...modules];
    this.#index();
  }

  /** The snapshot now, as immutable data (later events do not change it). */
  snapshot(): LifecycleSnapshot {
    return { ...this.#header, stages: [...this.#stages], modules: [...this.#modules] };
  }

  /** Applies one event. `app.starting` starts over from the plan it carries. */
  apply(event: LifecycleEvent): void {
    this.#header = { ...this.#header, at: event.at };
    switch (event.type) {
      case 'app.starting': {
        const { stages, modules, ...header } = createSnapshot(event.plan, event.at, event.wallClock);
        this.#header = { ...header, state: 'starting' };
        this.#stages = [...stages];
        this.#modules = [...modules];
        this.#startBudgetMs = undefined;
        this.#index();
        return;
      }
      case 'app.started':
        this.#header = { ...this.#header, state: 'running', startedAt: event.at };
        return;
      case 'app.startFailed':
        this.#stages = this.#stages.map((stage) =>
          stage.phase === 'start' && stage.state === 'running' ? { ...stage, state: 'failed' } : stage,
        );
        return;
      case 'app.stopping':
        this.#header = {
          ...this.#header,
          state: 'stopping',
          stop: {
            reason: event.reason,
            beganAt: event.at,
            deadlineMs: event.deadlineMs,
            deadlineAt: event.at + event.deadlineMs,
            isDeadlinePassed: false,
          },
        };
        return;
      case 'app.stopped': {
        const { type: _type, at: _at, ...outcome } = event;
        const stop = this.#header.stop ?? {
          reason: 'unknown',
          beganAt: event.at - event.durationMs,
          deadlineMs: event.durationMs,
          deadlineAt: event.at,
          isDeadlinePassed: false,
        };
        this.#header = { ...this.#header, state: 'stopped', stop: { ...stop, ...outcome } };
        this.#stages = this.#stages.map((stage) =>
          stage.phase === 'stop' && stage.state === 'waiting' ? { ...stage, state: 'skipped' } : stage,
        );
        return;
      }
      case 'stage.begin':
        this.#updateStage(event.phase, event.stage, (stage) => ({
          ...stage,
          state: 'running',
          beganAt: event.at,
          deadlineAt: Math.min(event.at + stage.budgetMs, this.#stopDeadline(event.phase)),
        }));
        return;
      case 'stage.complete':
        this.#updateStage(event.phase, event.stage, (stage) => ({
          ...stage,
          state: 'completed',
          completedAt: event.at,
          durationMs: event.durationMs,
        }));
        return;
      case 'module.starting': {
        const budgetMs = this.#startBudgetOf(event.module);
        this.#updateModule(event.module, (module) => ({
          name: module.name,
          state: 'starting',
          stage: event.stage,
          since: event.at,
          budgetMs,
          deadlineAt: event.at + budgetMs,
        }));
        return;
      }
      case 'module.started':
        this.#updateModule(event.module, (module) => ({
          ...withoutDeadline(module),
          state: 'running',
          since: event.at,
          durationMs: event.durationMs,
        }));
        return;
      case 'module.stopping':
        this.#updateModule(event.module, (module) => ({
          ...withoutDeadline(module),
          state: 'stopping',
          stage: event.stage,
          since: event.at,
          budgetMs: event.drainBudgetMs,
          deadlineAt: Math.min(event.at + event.drainBudgetMs, this.#stopDeadline('stop')),
        }));
        return;
      case 'module.stopped':
        this.#updateModule(event.module, (module) => ({
          ...withoutDeadline(module),
          state: 'stopped',
          since: event.at,
          durationMs: event.durationMs,
        }));
        return;
      case 'module.failed':
        this.#updateModule(event.module, (module) => ({
          ...withoutDeadline(module),
          state: 'failed',
          stage: event.stage,
          since: event.at,
          durationMs: event.durationMs,
          error: event.error,
        }));
        return;
      case 'module.drainCut':
        this.#updateModule(event.module, (module) => ({ ...module, cut: event.reason }));
        return;
      case 'module.stopOverdue':
        this.#updateModule(event.module, (module) => ({ ...module, overdueAt: event.at }));
        return;
      case 'module.mark':
        this.#updateModule(event.module, (module) => ({
          ...module,
          lastMark: {
            name: event.name,
            at: event.at,
            ...(event.data === undefined ? {} : { data: event.data }),
          },
        }));
        return;
      case 'module.progress':
        this.#updateModule(event.module, (module) => ({
          ...module,
          progress: event.progress,
          progressAt: event.at,
        }));
        return;
      case 'shutdown.deadline':
        if (this.#header.stop !== undefined)
          this.#header = { ...this.#header, stop: { ...this.#header.stop, isDeadlinePassed: true } };
        return;
      case 'signal.received':
        return;
      default: {
        const unhandled: never = event;
        throw new Error(`unhandled lifecycle event ${JSON.stringify(unhandled)}`);
      }
    }
  }

  #index(): void {
    this.#stageIndex = new Map(this.#stages.map((stage, index) => [stageKey(stage.phase, stage.id), index]));
    this.#moduleIndex = new Map(this.#modules.map((module, index) => [module.name, index]));
  }

  #stopDeadline(phase: Phase): number {
    const stop = this.#header.stop;
    return phase === 'stop' && stop !== undefined ? stop.deadlineAt : Number.POSITIVE_INFINITY;
  }

  #startBudgetOf(name: string): number {
    this.#startBudgetMs ??= new Map(
      this.#header.plan.modules.map((module) => [module.name, module.startBudgetMs]),
    );
    return this.#startBudgetMs.get(name) ?? 0;
  }

  #updateStage(phase: Phase, id: string, update: (stage: StageSnapshot) => StageSnapshot): void {
    const index = this.#stageIndex.get(stageKey(phase, id));
    const stage = index === undefined ? undefined : this.#stages[index];
    if (index !== undefined && stage !== undefined) this.#stages[index] = update(stage);
  }

  #updateModule(name: string, update: (module: ModuleSnapshot) => ModuleSnapshot): void {
    const index = this.#moduleIndex.get(name);
    const module = index === undefined ? undefined : this.#modules[index];
    if (index !== undefined && module !== undefined) this.#modules[index] = update(module);
  }
}

function stageKey(phase: Phase, id: string): string {
  return `${phase}\u0000${id}`;
}

function withoutDeadline(module: ModuleSnapshot): ModuleSnapshot {
  const { deadlineAt: _deadlineAt, ...rest } = module;
  return rest;
}
