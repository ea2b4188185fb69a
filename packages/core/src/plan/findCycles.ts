import { stronglyConnectedComponents } from './stronglyConnectedComponents.js';

/**
 * One cycle for each strongly connected component of `nodes` that has one, as a path that starts and
 * ends at the same node (`[a, b, c, a]`). Cycles that share a node are one component, so each cycle
 * returned can be broken without touching the others. In the order of their first node in `nodes`, each
 * starting there; linear in nodes and edges, and iterative, so deep graphs do not overflow the stack.
 */
export function findCycles(
  nodes: readonly number[],
  successors: (node: number) => Iterable<number>,
): number[][] {
  const cycles: number[][] = [];
  for (const component of stronglyConnectedComponents(nodes, successors)) {
    const first = component[0] as number;
    const isCyclic = component.length > 1 || [...successors(first)].includes(first);
    if (!isCyclic) continue;
    const members = new Set(component);
    cycles.push(cycleFrom(first, (node) => [...successors(node)].filter((next) => members.has(next))));
  }
  return cycles;
}

/**
 * A cycle through `start` in a strongly connected component (every node reaches `start`, so a walk that
 * never revisits a node ends there): depth first until an edge leads back to `start`.
 */
function cycleFrom(start: number, successors: (node: number) => readonly number[]): number[] {
  const path: number[] = [start];
  const iterators: Iterator<number>[] = [successors(start)[Symbol.iterator]()];
  const seen = new Set<number>([start]);
  while (iterators.length > 0) {
    const next = iterators[iterators.length - 1]?.next();
    if (next === undefined || next.done) {
      iterators.pop();
      path.pop();
      continue;
    }
    if (next.value === start) return [...path, start];
    if (seen.has(next.value)) continue;
    seen.add(next.value);
    path.push(next.value);
    iterators.push(successors(next.value)[Symbol.iterator]());
  }
  return [start, start]; // unreachable for a cyclic component
}
