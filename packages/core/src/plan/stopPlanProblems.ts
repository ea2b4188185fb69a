import type { GraphProblem } from '../errors/GraphError.js';
import type { PlannedModule } from './AppPlan.js';
import { BitSet } from './BitSet.js';
import type { ModuleEdge } from './ModuleEdge.js';
import { declarerOf } from './StopDeclarations.js';

/**
 * The KAS_STOP_CONTRADICTION problem for an order between two modules that "with" declarations put in one
 * stage: a declared `after`, or a default pair neither module names (a `with` merges stages, but does
 * not lift the default for pairs it does not name). Names the chain of `with` declarations that merged them.
 */
export function orderInsideStageProblem(
  edge: ModuleEdge,
  pairs: readonly { module: number; other: number; relation: string }[],
  modules: readonly PlannedModule[],
): GraphProblem {
  const name = (index: number) => modules[index]?.name ?? '?';
  const chain = withChain(edge.from, edge.to, pairs)
    .map((pair) => `${declarerOf(modules[pair.module])} with "${name(pair.other)}"`)
    .join(', ');
  if (edge.reason === 'after') {
    return {
      code: 'KAS_STOP_CONTRADICTION',
      message: `${declarerOf(modules[edge.to])} declares after: ["${name(edge.from)}"], but "with" declarations put them in one stop stage (${chain})`,
      fix: 'drop the "after", or the "with" that merges their stages',
      modules: [name(edge.to), name(edge.from)],
    };
  }
  return {
    code: 'KAS_STOP_CONTRADICTION',
    message: `"${name(edge.from)}" started after "${name(edge.to)}", so by default it stops before it, but "with" declarations put them in one stop stage (${chain})`,
    fix: `declare stop: { with: ['${name(edge.to)}'] } on "${name(edge.from)}" if they are meant to stop as one stage, or drop a "with" on that chain`,
    modules: [name(edge.from), name(edge.to)],
  };
}

/** The `with` pairs that join two modules of one stage, found breadth first. */
function withChain(
  from: number,
  to: number,
  pairs: readonly { module: number; other: number; relation: string }[],
): { module: number; other: number }[] {
  const neighbours = new Map<number, { module: number; other: number; next: number }[]>();
  for (const pair of pairs) {
    if (pair.relation !== 'with') continue;
    neighbours.set(pair.module, [...(neighbours.get(pair.module) ?? []), { ...pair, next: pair.other }]);
    neighbours.set(pair.other, [...(neighbours.get(pair.other) ?? []), { ...pair, next: pair.module }]);
  }
  const cameBy = new Map<number, { module: number; other: number; next: number }>();
  const queue = [from];
  for (let head = 0; head < queue.length && !cameBy.has(to); head++) {
    const at = queue[head] as number;
    for (const step of neighbours.get(at) ?? []) {
      if (step.next === from || cameBy.has(step.next)) continue;
      cameBy.set(step.next, step);
      queue.push(step.next);
    }
  }
  const chain: { module: number; other: number }[] = [];
  for (let at = to; at !== from; ) {
    const step = cameBy.get(at);
    if (step === undefined) break;
    chain.unshift({ module: step.module, other: step.other });
    at = step.next === step.module ? step.other : step.module;
  }
  return chain;
}

/** The KAS_STOP_CYCLE problem for a cycle of stages, told module by module with the reason of each step. */
export function stopCycleProblem(
  cycle: readonly number[],
  stageEdges: ReadonlyMap<number, ReadonlyMap<number, ModuleEdge>>,
  modules: readonly PlannedModule[],
): GraphProblem {
  const name = (index: number) => modules[index]?.name ?? '?';
  // A module that declares `stop.last`: its `after` edges from modules that do not are labelled `last`.
  const isLast = (index: number) => modules[index]?.stop.last === true;
  const parts: string[] = [];
  const involved: string[] = [];
  // Modules whose stop, set by an override, makes a step of the cycle: the reader looks there.
  const overridden = new Set<number>();
  for (let step = 0; step + 1 < cycle.length; step++) {
    const edge = stageEdges.get(cycle[step] as number)?.get(cycle[step + 1] as number);
    if (edge === undefined) continue;
    const previous = involved[involved.length - 1];
    if (previous !== undefined && previous !== name(edge.from)) parts.push(`~with~ ${name(edge.from)}`);
    if (parts.length === 0) parts.push(name(edge.from));
    // `last` is expanded into `after` pairs; a cycle through one says so, or its fix names an `after`
    // nobody wrote.
    const why = edge.reason === 'after' && isLast(edge.to) && !isLast(edge.from) ? 'last' : edge.reason;
    if (edge.reason === 'after' && modules[edge.to]?.stopSetBy !== undefined) overridden.add(edge.to);
    parts.push(`-[${why}]-> ${name(edge.to)}`);
    involved.push(name(edge.from), name(edge.to));
  }
  const first = involved[0];
  if (first !== undefined && involved[involved.length - 1] !== first) parts.push(`~with~ ${first}`);
  const setBy = [...overridden].map(
    (index) => `; the stop of "${name(index)}" is set by ${modules[index]?.stopSetBy}`,
  );
  return {
    code: 'KAS_STOP_CYCLE',
    message: `stop cycle: ${parts.join(' ')} ("<x> -[why]-> <y>": <y> begins its stop after <x> has stopped; "~with~": one stage)${setBy.join('')}`,
    fix: 'remove one "after" on this path (a "last" pair: drop that module\'s last, or the other relations that make it stop first), declare "alongside" for a default pair on it, or merge the modules with "with"',
    modules: [...new Set(involved)],
  };
}

/**
 * Modules declared `alongside` must have no order between them; a chain of other relations can impose one.
 * Walks the stages from the last to the first, keeping for each the stages it stops before (by position
 * from the end, so a stage's set needs no more bits than the position of the latest stage it directly
 * precedes), and drops a set once every stage that stops before it has used it.
 */
export function orderedAlongsidePairs(
  pairs: readonly { module: number; other: number; relation: string }[],
  stageOf: readonly number[],
  topological: readonly number[],
  stageEdges: ReadonlyMap<number, ReadonlyMap<number, ModuleEdge>>,
  modules: readonly PlannedModule[],
): GraphProblem[] {
  const name = (index: number) => modules[index]?.name ?? '?';
  const alongside = pairs.filter(
    (pair) => pair.relation === 'alongside' && stageOf[pair.module] !== stageOf[pair.other],
  );
  if (alongside.length === 0) return [];
  const fromEnd = new Map<number, number>();
  topological.forEach((stage, at) => {
    fromEnd.set(stage, topological.length - 1 - at);
  });
  const predecessorsLeft = new Map<number, number>();
  for (const targets of stageEdges.values()) {
    for (const target of targets.keys())
      predecessorsLeft.set(target, (predecessorsLeft.get(target) ?? 0) + 1);
  }
  const pairsOf = new Map<number, number[]>();
  for (const pair of alongside) {
    const a = stageOf[pair.module] as number;
    const b = stageOf[pair.other] as number;
    pairsOf.set(a, [...(pairsOf.get(a) ?? []), b]);
    pairsOf.set(b, [...(pairsOf.get(b) ?? []), a]);
  }
  /** For each stage, the stages (by position from the end) that begin their stop only after it has stopped. */
  const reachable = new Map<number, BitSet>();
  /** Pairs of stages, first before second, as "first:second". */
  const ordered = new Set<string>();
  for (let at = 0; at < topological.length; at++) {
    const stage = topological[topological.length - 1 - at] as number;
    const targets = [...(stageEdges.get(stage)?.keys() ?? [])];
    // Sized by the latest target (each comes later in stop order), not by `at`: see defaultStopEdges.
    const set = new BitSet(
      targets.reduce((size, target) => Math.max(size, (fromEnd.get(target) as number) + 1), 0),
    );
    for (const target of targets) {
      const targetAt = fromEnd.get(target) as number;
      set.add(targetAt);
      set.addAll(reachable.get(target) as BitSet);
      const left = (predecessorsLeft.get(target) as number) - 1;
      predecessorsLeft.set(target, left);
      if (left === 0) reachable.delete(target);
    }
    for (const other of pairsOf.get(stage) ?? []) {
      if (set.has(fromEnd.get(other) as number)) ordered.add(`${stage}:${other}`);
    }
    if ((predecessorsLeft.get(stage) ?? 0) > 0) reachable.set(stage, set);
  }
  const problems: GraphProblem[] = [];
  const ordering = orderingOverrides(modules);
  for (const pair of alongside) {
    const a = stageOf[pair.module] as number;
    const b = stageOf[pair.other] as number;
    const [first, second] = ordered.has(`${a}:${b}`)
      ? [pair.module, pair.other]
      : ordered.has(`${b}:${a}`)
        ? [pair.other, pair.module]
        : [];
    if (first === undefined || second === undefined) continue;
    problems.push({
      code: 'KAS_STOP_CONTRADICTION',
      message: `${declarerOf(modules[pair.module])} declares alongside: ["${name(pair.other)}"], but other relations make "${name(first)}" stop before "${name(second)}" (through modules between them in start order, or "after")`,
      fix: `also declare "alongside" (or "with") for the modules between them, or drop this "alongside"${ordering}`,
      modules: [name(pair.module), name(pair.other)],
    });
  }
  return problems;
}

/**
 * The modules whose stop an override sets with an order (`after`, `last`), as a note for a problem whose
 * chain passes through modules it does not name: an override is the likeliest cause, and where to look.
 */
function orderingOverrides(modules: readonly PlannedModule[]): string {
  const overridden = modules.filter(
    (module) =>
      module.stopSetBy !== undefined && ((module.stop.after?.length ?? 0) > 0 || module.stop.last === true),
  );
  if (overridden.length === 0) return '';
  const listed = overridden
    .slice(0, 3)
    .map((module) => `the stop of "${module.name}" is set by ${module.stopSetBy}`)
    .join('; ');
  return `; ${listed}${overridden.length > 3 ? ` (and ${overridden.length - 3} more)` : ''}: an order it adds may be the one between them`;
}
