import type { PlannedModule, StopPlan, StopStage } from './AppPlan.js';
import type { ModuleEdge } from './ModuleEdge.js';
import type { ResolvedStart } from './resolveStartPlan.js';

/** Turns resolved stages into the plan's data: ids, members, follows, budgets and the critical path. */
export function buildStopPlan(
  modules: readonly PlannedModule[],
  start: ResolvedStart,
  stageOf: readonly number[],
  topological: readonly number[],
  stageEdges: ReadonlyMap<number, ReadonlyMap<number, ModuleEdge>>,
  edges: readonly ModuleEdge[],
): StopPlan {
  const members = new Map<number, number[]>();
  for (const index of start.order) {
    const stage = stageOf[index] as number;
    const list = members.get(stage);
    if (list === undefined) members.set(stage, [index]);
    else list.push(index);
  }
  const ids = new Map(
    [...members].map(([stage, list]) => [stage, list.map((index) => modules[index]?.name).join('+')]),
  );
  const id = (stage: number) => ids.get(stage) ?? '?';
  const follows = new Map<number, number[]>(topological.map((stage) => [stage, []]));
  for (const [from, targets] of stageEdges) {
    for (const to of targets.keys()) follows.get(to)?.push(from);
  }
  const budget = (stage: number) =>
    Math.max(0, ...(members.get(stage) ?? []).map((index) => modules[index]?.drainBudgetMs ?? 0));

  const stages: StopStage[] = topological.map((stage) => ({
    id: id(stage),
    members: (members.get(stage) ?? []).map((index) => modules[index]?.name ?? '?'),
    follows: (follows.get(stage) ?? []).map(id),
    drainBudgetMs: budget(stage),
  }));

  const worstCase = new Map<number, { ms: number; previous?: number }>();
  for (const stage of topological) {
    let best: { ms: number; previous?: number } = { ms: 0 };
    for (const previous of follows.get(stage) ?? []) {
      const candidate = worstCase.get(previous)?.ms ?? 0;
      if (candidate > best.ms || best.previous === undefined) best = { ms: candidate, previous };
    }
    worstCase.set(stage, {
      ms: best.ms + budget(stage),
      ...(best.previous === undefined ? {} : { previous: best.previous }),
    });
  }
  let last: number | undefined;
  for (const stage of topological) {
    if (last === undefined || (worstCase.get(stage)?.ms ?? 0) > (worstCase.get(last)?.ms ?? 0)) last = stage;
  }
  const path: number[] = [];
  for (let stage = last; stage !== undefined; stage = worstCase.get(stage)?.previous) path.unshift(stage);

  return {
    stages,
    edges: edges.map((edge) => ({
      from: modules[edge.from]?.name ?? '?',
      to: modules[edge.to]?.name ?? '?',
      reason: edge.reason,
    })),
    criticalPath: {
      stages: path.map(id),
      worstCaseMs: last === undefined ? 0 : (worstCase.get(last)?.ms ?? 0),
    },
  };
}
