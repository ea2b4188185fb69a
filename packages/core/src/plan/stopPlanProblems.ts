import { TypedFastBitSet } from 'typedfastbitset';
import type { GraphProblem } from '../errors/GraphError.js';
import type { ModuleEdge } from './ModuleEdge.js';

/** The KAS_STOP_CYCLE problem for a cycle of stages, told module by module with the reason of each step. */
export function stopCycleProblem(
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

export /** Modules declared `alongside` must have no order between them; a chain of other relations can impose one. */
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
