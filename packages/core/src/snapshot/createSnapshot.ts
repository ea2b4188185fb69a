import type { AppPlan } from '../plan/AppPlan.js';
import type { LifecycleSnapshot, StageSnapshot } from './LifecycleSnapshot.js';

/** The snapshot of an app that has not started: every stage waiting, every module idle. */
export function createSnapshot(plan: AppPlan, at: number, wallClock: number): LifecycleSnapshot {
  const startBudgetMs = new Map(plan.modules.map((module) => [module.name, module.startBudgetMs]));
  const startStages = plan.start.stages.map(
    (stage, index): StageSnapshot => ({
      id: `start-${stage.index}`,
      phase: 'start',
      members: stage.modules,
      follows: index === 0 ? [] : [`start-${(plan.start.stages[index - 1] as { index: number }).index}`],
      state: 'waiting',
      budgetMs: Math.max(0, ...stage.modules.map((name) => startBudgetMs.get(name) ?? 0)),
    }),
  );
  const stopStages = plan.stop.stages.map(
    (stage): StageSnapshot => ({
      id: stage.id,
      phase: 'stop',
      members: stage.members,
      follows: stage.follows,
      state: 'waiting',
      budgetMs: stage.drainBudgetMs,
    }),
  );
  return {
    at,
    wallClock,
    wallClockAt: at,
    state: 'idle',
    plan,
    stages: [...startStages, ...stopStages],
    modules: plan.modules.map((module) => ({ name: module.name, state: 'idle' })),
  };
}
