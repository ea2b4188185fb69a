import { TypedFastBitSet } from 'typedfastbitset';
import type { PlannedModule } from './AppPlan.js';
import type { ModuleEdge } from './ModuleEdge.js';
import type { ResolvedStart } from './resolveStartPlan.js';

/**
 * The default relations, without the transitive ones already implied by others: for each module, an
 * edge to each module it started after (directly or through others) that it has not named and that is
 * not already reached. Bitsets over start-order positions keep this near-linear on wide graphs.
 */
export function* defaultStopEdges(
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
