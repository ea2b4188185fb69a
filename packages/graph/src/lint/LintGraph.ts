import type { AppPlan, GraphProblem, PlannedModule, StopStage } from '@kas/core';
import { stopTimings } from './stopTimings.js';

/** The resource roles a module declares for the linter. */
export type ResourceRole = 'accepts' | 'advertises' | 'uses' | 'observes';

/** Limits the rules check against; set by the app (config file or command line). */
export interface LintLimits {
  /** The platform's grace between SIGTERM and SIGKILL. `KAS_BUDGET_OVER_LIMIT` checks only when it is set. */
  readonly terminationGraceMs?: number;
  /** How long after the stop begins a module that `accepts` may still begin its own stop. */
  readonly acceptDelayLimitMs: number;
}

/** Worst-case times of a stop stage, in milliseconds after the stop begins. */
export interface StopTiming {
  /** When the stage begins at the latest: every stage before it took its whole drain budget. */
  readonly latestBeginMs: number;
  /** `latestBeginMs` plus the stage's drain budget. */
  readonly latestCompleteMs: number;
  /** The stage it follows that completes last in the worst case (the previous link of its critical chain). */
  readonly waitsLongestFor?: string;
}

/** What a rule checks: both resolved plans, the structural problems, and look-ups over the stop DAG. */
export interface LintGraph {
  readonly plan: AppPlan;
  /** Structural problems found while resolving the plans (reported by the structural rules). */
  readonly problems: readonly GraphProblem[];
  readonly limits: LintLimits;
  /** Every resource tag any module declares, sorted. */
  readonly tags: readonly string[];
  /** A module by name; throws for a name the plan does not have. */
  module(name: string): PlannedModule;
  /** The stop stage a module belongs to. */
  stopStageOf(module: string): StopStage;
  /** A stop stage by id. */
  stopStage(id: string): StopStage;
  /** Worst-case begin and completion of a stop stage. */
  stopTiming(stageId: string): StopTiming;
  /**
   * Ids of the stages that must complete before `stageId` begins, directly or through others. Computed
   * anew on each call (linear in the stages before it): keep the set when you ask about it repeatedly,
   * and prefer `stopsAfter` for a question about two modules.
   */
  stagesBefore(stageId: string): ReadonlySet<string>;
  /** True when `later` begins its stop only after `earlier` has stopped, directly or through other stages. */
  stopsAfter(later: string, earlier: string): boolean;
  /** The modules that declare `tag` in `role`, in start order. */
  modulesWith(role: ResourceRole, tag: string): readonly PlannedModule[];
}

/**
 * Builds the look-ups rules use over a resolved plan. Costs linear time and memory; `stagesBefore` and
 * `stopsAfter` search the stop DAG on demand and keep at most one stage's ancestors.
 */
export function createLintGraph(
  plan: AppPlan,
  problems: readonly GraphProblem[],
  limits: LintLimits,
): LintGraph {
  const modules = new Map(plan.modules.map((module) => [module.name, module]));
  const stages = new Map(plan.stop.stages.map((stage) => [stage.id, stage]));
  const stageOfModule = new Map<string, StopStage>();
  for (const stage of plan.stop.stages) for (const member of stage.members) stageOfModule.set(member, stage);

  const timings = stopTimings(plan.stop);

  const tagged = new Map<string, PlannedModule[]>();
  for (const module of plan.modules) {
    for (const role of ['accepts', 'advertises', 'uses', 'observes'] as const) {
      for (const tag of new Set(module[role] ?? [])) {
        const key = `${role}\u0000${tag}`;
        const list = tagged.get(key);
        if (list === undefined) tagged.set(key, [module]);
        else list.push(module);
      }
    }
  }
  const tags = [...new Set([...tagged.keys()].map((key) => key.slice(key.indexOf('\u0000') + 1)))].sort();

  const get = <T>(map: ReadonlyMap<string, T>, key: string, what: string): T => {
    const value = map.get(key);
    if (value === undefined) throw new Error(`the plan has no ${what} "${key}"`);
    return value;
  };
  // The plan lists stop stages in topological order: a stage can only wait for stages listed before it.
  const position = new Map(plan.stop.stages.map((stage, index) => [stage.id, index]));
  const stagesBefore = (stageId: string): ReadonlySet<string> => {
    const seen = new Set<string>();
    const pending = [...get(stages, stageId, 'stop stage').follows];
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      if (seen.has(next)) continue;
      seen.add(next);
      pending.push(...(stages.get(next)?.follows ?? []));
    }
    return seen;
  };
  // Ancestor sets are not cached per stage (on a deep chain that is quadratic memory): each question
  // searches back from the later stage, only through stages listed after the earlier one. When a rule
  // asks about the same later stage again (an observer against every module), its ancestors are kept:
  // one set at a time.
  let lastAsked: { readonly stageId: string; ancestors?: ReadonlySet<string> } | undefined;
  const stageFollows = (later: string, earlier: string): boolean => {
    const floor = get(position, earlier, 'stop stage');
    if (get(position, later, 'stop stage') <= floor) return false;
    if (lastAsked?.stageId === later) {
      lastAsked.ancestors ??= stagesBefore(later);
      return lastAsked.ancestors.has(earlier);
    }
    lastAsked = { stageId: later };
    const seen = new Set<string>();
    const pending = [later];
    for (let id = pending.pop(); id !== undefined; id = pending.pop()) {
      for (const previous of stages.get(id)?.follows ?? []) {
        if (previous === earlier) return true;
        if ((position.get(previous) ?? -1) > floor && !seen.has(previous)) {
          seen.add(previous);
          pending.push(previous);
        }
      }
    }
    return false;
  };

  return {
    plan,
    problems,
    limits,
    tags,
    module: (name) => get(modules, name, 'module'),
    stopStageOf: (module) => get(stageOfModule, module, 'module'),
    stopStage: (id) => get(stages, id, 'stop stage'),
    stopTiming: (stageId) => get(timings, stageId, 'stop stage'),
    stagesBefore,
    stopsAfter(later, earlier) {
      const laterStage = get(stageOfModule, later, 'module').id;
      const earlierStage = get(stageOfModule, earlier, 'module').id;
      return stageFollows(laterStage, earlierStage);
    },
    modulesWith: (role, tag) => tagged.get(`${role}\u0000${tag}`) ?? [],
  };
}
