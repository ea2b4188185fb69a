import type { GraphProblem } from '../errors/GraphError.js';
import type { PlannedModule, StartStage } from './AppPlan.js';
import { findCycles } from './findCycles.js';

/** The start plan, plus what the stop plan needs from it. */
export interface ResolvedStart {
  readonly stages: readonly StartStage[];
  /** Module indices (into the input) in start order: every module after all it starts after. */
  readonly order: readonly number[];
  /** Direct start dependencies as module indices. */
  readonly dependencies: readonly (readonly number[])[];
  readonly problems: readonly GraphProblem[];
}

/**
 * Layers modules into start stages: a module's stage is one past the latest stage of what it starts
 * after. Reports each start cycle with its path: one for each group of modules that wait on each other.
 */
export function resolveStartPlan(modules: readonly PlannedModule[]): ResolvedStart {
  const indexOf = new Map(modules.map((module, index) => [module.name, index]));
  const dependencies = modules.map((module) =>
    module.startAfter
      .map((dependency) => indexOf.get(dependency.module))
      .filter((index) => index !== undefined),
  );
  const dependents: number[][] = modules.map(() => []);
  const waitingOn = dependencies.map((list) => list.length);
  dependencies.forEach((list, index) => {
    for (const dependency of list) dependents[dependency]?.push(index);
  });

  const level = new Array<number>(modules.length).fill(0);
  const order: number[] = [];
  const ready = modules.map((_, index) => index).filter((index) => waitingOn[index] === 0);
  for (let head = 0; head < ready.length; head++) {
    const index = ready[head] as number;
    order.push(index);
    for (const dependent of dependents[index] ?? []) {
      level[dependent] = Math.max(level[dependent] ?? 0, (level[index] ?? 0) + 1);
      waitingOn[dependent] = (waitingOn[dependent] ?? 0) - 1;
      if (waitingOn[dependent] === 0) ready.push(dependent);
    }
  }

  if (order.length < modules.length) {
    const placed = new Set(order);
    const rest = modules.map((_, index) => index).filter((index) => !placed.has(index));
    return {
      stages: [],
      order,
      dependencies,
      problems: findCycles(rest, (index) => dependencies[index] ?? []).map((cycle) =>
        startCycleProblem(modules, cycle),
      ),
    };
  }

  const byLevel: number[][] = [];
  for (const index of order) {
    const stageIndex = level[index] ?? 0;
    byLevel[stageIndex] ??= [];
    byLevel[stageIndex].push(index);
  }
  return {
    stages: byLevel.map((members, index) => ({
      index,
      modules: members.map((member) => modules[member]?.name ?? '?'),
    })),
    order: byLevel.flat(),
    dependencies,
    problems: [],
  };
}

/** The KAS_START_CYCLE problem for a cycle of module indices, each step with why: a declared startAfter or a DI need. */
function startCycleProblem(modules: readonly PlannedModule[], cycle: readonly number[]): GraphProblem {
  const names = cycle.map((index) => modules[index]?.name ?? '?');
  const reasons = names.slice(1).map((name, i) => {
    const from = modules[cycle[i] as number];
    const link = from?.startAfter.find((dependency) => dependency.module === name);
    return link?.reason === 'needs'
      ? `${from?.name} needs ${link.token ?? 'a token'} from ${name}`
      : `${from?.name} declares startAfter ${name}`;
  });
  return {
    code: 'KAS_START_CYCLE',
    message: `start cycle: ${names.join(' -> ')} (${reasons.join('; ')})`,
    fix: 'remove one startAfter on this path, or the DI need that implies it (a needed token makes its provider start first)',
    modules: [...new Set(names)],
  };
}
