/**
 * Finds one cycle among `nodes` of a directed graph, as a path that starts and ends at the same node
 * (`[a, b, c, a]`), or undefined when there is none. Iterative, so deep graphs do not overflow the stack.
 */
export function findCycle(
  nodes: Iterable<number>,
  successors: (node: number) => Iterable<number>,
): number[] | undefined {
  const state = new Map<number, 'open' | 'done'>();
  for (const root of nodes) {
    if (state.has(root)) continue;
    const path: number[] = [root];
    const iterators: Iterator<number>[] = [successors(root)[Symbol.iterator]()];
    state.set(root, 'open');
    while (iterators.length > 0) {
      const next = iterators[iterators.length - 1]?.next();
      if (next === undefined || next.done) {
        state.set(path.pop() as number, 'done');
        iterators.pop();
        continue;
      }
      const node = next.value;
      const seen = state.get(node);
      if (seen === 'open') return [...path.slice(path.indexOf(node)), node];
      if (seen === 'done') continue;
      state.set(node, 'open');
      path.push(node);
      iterators.push(successors(node)[Symbol.iterator]());
    }
  }
  return undefined;
}
