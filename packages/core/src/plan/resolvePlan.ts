import { GraphError } from '../errors/GraphError.js';
import type { AppComposition } from './AppComposition.js';
import type { AppPlan } from './AppPlan.js';
import { analyzeComposition } from './analyzeComposition.js';

/** Resolves both plans of a composition, or throws a `GraphError` listing every problem. */
export function resolvePlan(composition: AppComposition): AppPlan {
  const { plan, problems } = analyzeComposition(composition);
  const [first, ...rest] = problems;
  if (first !== undefined) throw new GraphError([first, ...rest]);
  if (plan === undefined) throw new Error('unreachable: a composition without problems has a plan');
  return plan;
}
