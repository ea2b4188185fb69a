import { expect } from 'vitest';
import { analyzeComposition } from '../../src/analysis.js';
import { CORE_ERROR_CODES, CoreError, GraphError, resolvePlan } from '../../src/index.js';
import { expectedStopVerdict, planViolations, stopCyclePathViolations } from './bruteForceStopOrder.js';
import { type GraphSpec, toComposition } from './graphSpec.js';

/** Runs `resolve`; returns undefined, or the error when it is a CoreError with a known code, or throws. */
export function thrownCoreError(resolve: () => unknown): CoreError<string> | undefined {
  try {
    resolve();
    return undefined;
  } catch (error) {
    if (error instanceof CoreError && error.code in CORE_ERROR_CODES) return error;
    throw new Error(`resolution threw something other than a CoreError with a known code: ${String(error)}`, {
      cause: error,
    });
  }
}

/**
 * Resolves a spec's composition and checks it against the brute-force statement of the semantics: it
 * resolves exactly when every declaration can hold; a resolved plan honours every relation and the
 * transitive default and orders nothing else; a stop cycle is reported with a path of real steps;
 * `resolvePlan` throws the same problems as a GraphError.
 */
export function checkResolution(spec: GraphSpec): void {
  const composition = toComposition(spec);
  const analysis = analyzeComposition(composition);
  const verdict = expectedStopVerdict(spec);
  const codes = analysis.problems.map((problem) => problem.code);
  expect(codes.length === 0, `problems: ${codes.join(', ')}`).toBe(verdict.isSatisfiable);
  // With two relations named for one pair, which of them the plan keeps decides whether there is a cycle.
  if (!verdict.declared.hasDeclarationConflict)
    expect(codes.includes('KAS_STOP_CYCLE')).toBe(verdict.hasCycle);
  for (const problem of analysis.problems) {
    if (problem.code === 'KAS_STOP_CYCLE') expect(stopCyclePathViolations(spec, problem.message)).toEqual([]);
    expect(problem.code in CORE_ERROR_CODES).toBe(true);
  }
  if (analysis.problems.length === 0) {
    expect(analysis.plan).toBeDefined();
    if (analysis.plan !== undefined) expect(planViolations(spec, analysis.plan, verdict)).toEqual([]);
  }
  const error = thrownCoreError(() => resolvePlan(composition));
  expect(error === undefined).toBe(analysis.problems.length === 0);
  if (error !== undefined) {
    expect(error).toBeInstanceOf(GraphError);
    expect((error as GraphError).problems).toEqual(analysis.problems);
  }
}
