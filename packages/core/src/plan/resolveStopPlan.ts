import { TypedFastBitSet } from 'typedfastbitset';
import type { GraphProblem } from '../errors/GraphError.js';
import type { PlannedModule, StopEdge, StopPlan, StopStage } from './AppPlan.js';
import { findCycle } from './findCycle.js';
import type { ResolvedStart } from './resolveStartPlan.js';
import { collectStopDeclarations } from './StopDeclarations.js';

interface ModuleEdge {
  readonly from: number;
  readonly to: number;
  readonly reason: StopEdge['reason'];
}

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
  const name = (index: number) => modules[index]?.name ?? '?';

  const edges = [...defaultEdges(modules, start, declarations.named)];
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
    } else if (edge.reason === 'after') {
      problems.push({
        code: 'KAS_STOP_CONTRADICTION',
        message: `"${name(edge.to)}" declares after: ["${name(edge.from)}"], but "with" declarations put them in one stop stage`,
        fix: 'drop the "after", or the "with" that merges their stages',
        modules: [name(edge.to), name(edge.from)],
      });
    }
  }

  const topological = sortStages(stageIds, stageEdges, start.order, stageOf);
  if (topological.length < stageIds.length) {
    const placed = new Set(topological);
    const cycle = findCycle(
      stageIds.filter((stage) => !placed.has(stage)),
      (stage) => stageEdges.get(stage)?.keys() ?? [],
    );
    problems.push(stopCycleProblem(cycle ?? [], stageEdges, name));
    return { problems };
  }

  problems.push(...orderedAlongsidePairs(declarations.pairs, stageOf, topological, stageEdges, name));
  return { plan: buildPlan(modules, start, stageOf, topological, stageEdges, keptEdges), problems };
}

/**
 * The default relations, without the transitive ones already implied by others: for each module, an
 * edge to each module it started after (directly or through others) that it has not named and that is
 * not already reached. Bitsets over start-order positions keep this near-linear on wide graphs.
 */
function* defaultEdges(
  modules: readonly PlannedModule[],
  start: ResolvedStart,
  named: readonly ReadonlySet<number>[],
): Generator<ModuleEdge> {
  const position = new Array<number>(modules.length);
  start.order.forEach((index, at) => {
    position[index] = at;
  });
  const ancestors: TypedFastBitSet[] = [];
  const reach: TypedFastBitSet[] = [];
  for (const index of start.order) {
    const at = position[index] as number;
    const own = new TypedFastBitSet();
    const reached = new TypedFastBitSet();
    const isNamed = named[index] ?? new Set<number>();
    const dependencies = [...(start.dependencies[index] ?? [])].sort(
      (a, b) => (position[b] as number) - (position[a] as number),
    );
    for (const dependency of dependencies) {
      const dependencyAt = position[dependency] as number;
      own.add(dependencyAt);
      own.union(ancestors[dependencyAt] as TypedFastBitSet);
      if (isNamed.has(dependency) || reached.has(dependencyAt)) continue;
      yield { from: index, to: dependency, reason: 'default' };
      reached.add(dependencyAt);
      reached.union(reach[dependencyAt] as TypedFastBitSet);
    }
    const missing = own.new_difference(reached);
    for (const other of isNamed) missing.remove(position[other] as number);
    const closestFirst = missing.array().reverse();
    for (const otherAt of closestFirst) {
      if (reached.has(otherAt)) continue;
      yield { from: index, to: start.order[otherAt] as number, reason: 'default' };
      reached.add(otherAt);
      reached.union(reach[otherAt] as TypedFastBitSet);
    }
    ancestors[at] = own;
    reach[at] = reached;
  }
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

/** Kahn's order of stages; among ready stages, the one holding the latest-started module goes first. */
function sortStages(
  stageIds: readonly number[],
  stageEdges: ReadonlyMap<number, ReadonlyMap<number, ModuleEdge>>,
  startOrder: readonly number[],
  stageOf: readonly number[],
): number[] {
  const latestStart = new Map<number, number>();
  startOrder.forEach((index, at) => {
    latestStart.set(stageOf[index] as number, at);
  });
  const waitingOn = new Map(stageIds.map((stage) => [stage, 0]));
  for (const targets of stageEdges.values()) {
    for (const target of targets.keys()) waitingOn.set(target, (waitingOn.get(target) ?? 0) + 1);
  }
  const byLatestStart = (a: number, b: number) => (latestStart.get(b) ?? 0) - (latestStart.get(a) ?? 0);
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

function stopCycleProblem(
  cycle: readonly number[],
  stageEdges: ReadonlyMap<number, ReadonlyMap<number, ModuleEdge>>,
  name: (index: number) => string,
): GraphProblem {
  const parts: string[] = [];
  const involved: string[] = [];
  for (let step = 0; step + 1 < cycle.length; step++) {
    const edge = stageEdges.get(cycle[step] as number)?.get(cycle[step + 1] as number);
    if (edge === undefined) continue;
    const previous = involved[involved.length - 1];
    if (previous !== undefined && previous !== name(edge.from)) parts.push(`~with~ ${name(edge.from)}`);
    if (parts.length === 0) parts.push(name(edge.from));
    parts.push(`-[${edge.reason}]-> ${name(edge.to)}`);
    involved.push(name(edge.from), name(edge.to));
  }
  const first = involved[0];
  if (first !== undefined && involved[involved.length - 1] !== first) parts.push(`~with~ ${first}`);
  return {
    code: 'KAS_STOP_CYCLE',
    message: `stop cycle: ${parts.join(' ')} ("a -[why]-> b": b begins its stop after a has stopped; "~with~": one stage)`,
    fix: 'remove one "after" on this path, declare "alongside" for a default pair on it, or merge the modules with "with"',
    modules: [...new Set(involved)],
  };
}

/** Modules declared `alongside` must have no order between them; a chain of other relations can impose one. */
function orderedAlongsidePairs(
  pairs: readonly { module: number; other: number; relation: string }[],
  stageOf: readonly number[],
  topological: readonly number[],
  stageEdges: ReadonlyMap<number, ReadonlyMap<number, ModuleEdge>>,
  name: (index: number) => string,
): GraphProblem[] {
  const alongside = pairs.filter(
    (pair) => pair.relation === 'alongside' && stageOf[pair.module] !== stageOf[pair.other],
  );
  if (alongside.length === 0) return [];
  const reachable = new Map<number, TypedFastBitSet>();
  for (const stage of [...topological].reverse()) {
    const set = new TypedFastBitSet();
    for (const target of stageEdges.get(stage)?.keys() ?? []) {
      set.add(target);
      set.union(reachable.get(target) as TypedFastBitSet);
    }
    reachable.set(stage, set);
  }
  const problems: GraphProblem[] = [];
  for (const pair of alongside) {
    const a = stageOf[pair.module] as number;
    const b = stageOf[pair.other] as number;
    const [first, second] = reachable.get(a)?.has(b)
      ? [pair.module, pair.other]
      : reachable.get(b)?.has(a)
        ? [pair.other, pair.module]
        : [];
    if (first === undefined || second === undefined) continue;
    problems.push({
      code: 'KAS_STOP_CONTRADICTION',
      message: `"${name(pair.module)}" declares alongside: ["${name(pair.other)}"], but other relations make "${name(first)}" stop before "${name(second)}" (through modules between them in start order, or "after")`,
      fix: `also declare "alongside" (or "with") for the modules between them, or drop this "alongside"`,
      modules: [name(pair.module), name(pair.other)],
    });
  }
  return problems;
}

function buildPlan(
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
