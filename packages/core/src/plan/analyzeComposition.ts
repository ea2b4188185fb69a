import type { GraphProblem } from '../errors/GraphError.js';
import type { AnyModule } from '../module/ModuleDefinition.js';
import type { AppComposition } from './AppComposition.js';
import type { AppPlan } from './AppPlan.js';
import { normalizeModules } from './normalizeModules.js';
import { resolveStartPlan } from './resolveStartPlan.js';
import { resolveStopPlan } from './resolveStopPlan.js';
import { collectStopDeclarations } from './StopDeclarations.js';

/** Everything known about a composition: the plans when they can be resolved, and every problem found. */
export interface CompositionAnalysis {
  /** Present when the graph has no start or stop cycle (other problems may still be listed). */
  readonly plan?: AppPlan;
  readonly problems: readonly GraphProblem[];
  /** Module definitions by name (first of each name). */
  readonly definitions: ReadonlyMap<string, AnyModule>;
}

/**
 * Checks a composition and resolves its start and stop plans without throwing: the linter reports
 * every problem, `createApp` throws on the first.
 */
export function analyzeComposition(composition: AppComposition): CompositionAnalysis {
  const normalized = normalizeModules(composition);
  const start = resolveStartPlan(normalized.modules);
  const problems = [...normalized.problems, ...start.problems];
  if (start.problems.length > 0) {
    // No stop plan without a start order, but the stop declarations that contradict each other pair by
    // pair (a module naming itself, "with" and "after" on one pair, "after" both ways) need none: report
    // them too, so fixing the cycle does not reveal them one run later.
    problems.push(...collectStopDeclarations(normalized.modules).problems);
    return { problems, definitions: normalized.definitions };
  }
  const stop = resolveStopPlan(normalized.modules, start);
  problems.push(...stop.problems);
  if (stop.plan === undefined) return { problems, definitions: normalized.definitions };
  const plan: AppPlan = {
    modules: start.order.map((index) => normalized.modules[index]).filter((module) => module !== undefined),
    start: { stages: start.stages },
    stop: stop.plan,
  };
  return { plan, problems, definitions: normalized.definitions };
}
