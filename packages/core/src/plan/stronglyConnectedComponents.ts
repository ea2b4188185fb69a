/**
 * The strongly connected components of a directed graph among `nodes` (Tarjan's algorithm, iterative so
 * a long chain does not overflow the stack). Each component lists its nodes in the order `nodes` gives
 * them; components come in the order of their first node in `nodes`. Successors outside `nodes` are ignored.
 */
export function stronglyConnectedComponents(
  nodes: readonly number[],
  successors: (node: number) => Iterable<number>,
): number[][] {
  const position = new Map(nodes.map((node, at) => [node, at]));
  /** Discovery order of each node (by position), -1 before it is visited. */
  const discovered = new Int32Array(nodes.length).fill(-1);
  const lowest = new Int32Array(nodes.length);
  const isOnStack = new Uint8Array(nodes.length);
  const stack: number[] = [];
  const components: number[][] = [];
  let visited = 0;

  for (let root = 0; root < nodes.length; root++) {
    if ((discovered[root] as number) >= 0) continue;
    const path: number[] = [root];
    const iterators: Iterator<number>[] = [successors(nodes[root] as number)[Symbol.iterator]()];
    discovered[root] = lowest[root] = visited++;
    stack.push(root);
    isOnStack[root] = 1;
    while (path.length > 0) {
      const at = path[path.length - 1] as number;
      const next = iterators[iterators.length - 1]?.next();
      if (next !== undefined && !next.done) {
        const target = position.get(next.value);
        if (target === undefined) continue;
        if ((discovered[target] as number) < 0) {
          discovered[target] = lowest[target] = visited++;
          stack.push(target);
          isOnStack[target] = 1;
          path.push(target);
          iterators.push(successors(next.value)[Symbol.iterator]());
        } else if (isOnStack[target] === 1) {
          lowest[at] = Math.min(lowest[at] as number, discovered[target] as number);
        }
        continue;
      }
      path.pop();
      iterators.pop();
      const parent = path[path.length - 1];
      if (parent !== undefined) lowest[parent] = Math.min(lowest[parent] as number, lowest[at] as number);
      if (lowest[at] !== discovered[at]) continue;
      const component: number[] = [];
      let member: number;
      do {
        member = stack.pop() as number;
        isOnStack[member] = 0;
        component.push(member);
      } while (member !== at);
      components.push(component.sort((a, b) => a - b));
    }
  }
  return components
    .sort((a, b) => (a[0] as number) - (b[0] as number))
    .map((component) => component.map((at) => nodes[at] as number));
}
