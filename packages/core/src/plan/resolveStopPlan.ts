import type { GraphProblem } from '../errors/GraphError.js';
import type { PlannedModule, StopPlan } from './AppPlan.js';
import { buildStopPlan } from './buildStopPlan.js';
import { defaultStopEdges } from './defaultStopEdges.js';
import { findCycles } from './findCycles.js';
import type { ModuleEdge } from './ModuleEdge.js';
import type { ResolvedStart } from './resolveStartPlan.js';
import { collectStopDeclarations } from './StopDeclarations.js';
import { orderedAlongsidePairs, orderInsideStageProblem, stopCycleProblem } from './stopPlanProblems.js';

/**
 * Resolves the stop DAG. Every module stops before each module it started after, directly or through
 * others, except for pairs a stop declaration names; `after` adds an order, `with` merges stages.
 * Stages with no order between them begin together.
 */
export function resolveStopPlan(
  modules: readonly PlannedModule[],
  start: ResolvedStart,
): { readonly plan?: StopPlan; readonly problems: readonly GraphProblem[] } {
  const declarations = collectStopDeclarations(modules);
  const problems: GraphProblem[] = [...declarations.problems];

  const edges = [...defaultStopEdges(modules, start, declarations.named)];
  for (const pair of declarations.pairs) {
    if (pair.relation === 'after') edges.push({ from: pair.other, to: pair.module, reason: 'after' });
  }

  const stageOf = mergeWithPairs(modules.length, declarations.pairs);
  const stageIds = [...new Set(start.order.map((index) => stageOf[index] as number))];
  const stageEdges = new Map<number, Map<number, ModuleEdge>>(stageIds.map((stage) => [stage, new Map()]));
  const keptEdges: ModuleEdge[] = [];
  for (const edge of edges) {
    const from = stageOf[edge.from] as number;
    const to = stageOf[edge.to] as number;
    if (from !== to) {
      keptEdges.push(edge);
      if (!stageEdges.get(from)?.has(to)) stageEdges.get(from)?.set(to, edge);
    } else {
      problems.push(orderInsideStageProblem(edge, declarations.pairs, modules));
    }
  }

  const edgeStages = new Set(
    modules.flatMap((module, index) =>
      module.accepts.length > 0 || module.advertises.length > 0 ? [stageOf[index] as number] : [],
    ),
  );
  const topological = sortStages(stageIds, stageEdges, start.order, stageOf, edgeStages);
  if (topological.length < stageIds.length) {
    const placed = new Set(topological);
    const cycles = findCycles(
      stageIds.filter((stage) => !placed.has(stage)),
      (stage) => stageEdges.get(stage)?.keys() ?? [],
    );
    for (const cycle of cycles) problems.push(stopCycleProblem(cycle, stageEdges, modules));
    return { problems };
  }

  problems.push(...orderedAlongsidePairs(declarations.pairs, stageOf, topological, stageEdges, modules));
  return { plan: buildStopPlan(modules, start, stageOf, topological, stageEdges, keptEdges), problems };
}

/** Union-find over `with` pairs: each module's stage representative. */
function mergeWithPairs(
  count: number,
  pairs: readonly { module: number; other: number; relation: string }[],
): number[] {
  const parent = Array.from({ length: count }, (_, index) => index);
  const find = (index: number): number => {
    let root = index;
    while (parent[root] !== root) root = parent[root] as number;
    while (parent[index] !== root) {
      const next = parent[index] as number;
      parent[index] = root;
      index = next;
    }
    return root;
  };
  for (const pair of pairs) {
    if (pair.relation === 'with') parent[find(pair.module)] = find(pair.other);
  }
  return parent.map((_, index) => find(index));
}

/** Kahn's order of stages; among stages ready together, edge stages first, then the latest started. */
function sortStages(
  stageIds: readonly number[],
  stageEdges: ReadonlyMap<number, ReadonlyMap<number, ModuleEdge>>,
  startOrder: readonly number[],
  stageOf: readonly number[],
  edgeStages: ReadonlySet<number>,
): number[] {
  const latestStart = new Map<number, number>();
  startOrder.forEach((index, at) => {
    latestStart.set(stageOf[index] as number, at);
  });
  const waitingOn = new Map(stageIds.map((stage) => [stage, 0]));
  for (const targets of stageEdges.values()) {
    for (const target of targets.keys()) waitingOn.set(target, (waitingOn.get(target) ?? 0) + 1);
  }
  // Stages that become ready together begin in one tick, in this order: those holding modules that
  // accept or advertise (the edge other replicas and clients react to) first, then the latest started.
  const byLatestStart = (a: number, b: number) =>
    Number(edgeStages.has(b)) - Number(edgeStages.has(a)) ||
    (latestStart.get(b) ?? 0) - (latestStart.get(a) ?? 0);
  let ready = stageIds.filter((stage) => waitingOn.get(stage) === 0).sort(byLatestStart);
  const order: number[] = [];
  while (ready.length > 0) {
    const next: number[] = [];
    for (const stage of ready) {
      order.push(stage);
      for (const target of stageEdges.get(stage)?.keys() ?? []) {
        const left = (waitingOn.get(target) ?? 0) - 1;
        waitingOn.set(target, left);
        if (left === 0) next.push(target);
      }
    }
    ready = next.sort(byLatestStart);
  }
  return order;
}
