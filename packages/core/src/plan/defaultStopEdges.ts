import type { PlannedModule } from './AppPlan.js';
import { BitSet } from './BitSet.js';
import type { ModuleEdge } from './ModuleEdge.js';
import type { ResolvedStart } from './resolveStartPlan.js';

/**
 * The default relations, without the transitive ones already implied by others: for each module, an
 * edge to each module it started after (directly or through others) that it has not named and that is
 * not already reached. Sets are over start-order positions: everything a module started after comes
 * earlier in start order, so a module's sets need no more bits than its latest dependency's position
 * (none without dependencies), and are dropped once the last module that starts after it has used them.
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
  const dependentsLeft = new Array<number>(start.order.length).fill(0);
  for (const index of start.order) {
    for (const dependency of new Set(start.dependencies[index] ?? [])) {
      const dependencyAt = position[dependency] as number;
      dependentsLeft[dependencyAt] = (dependentsLeft[dependencyAt] as number) + 1;
    }
  }
  /** Positions of the modules each module started after, directly or through others. */
  const ancestors: (BitSet | undefined)[] = [];
  /** Positions each module already stops before through the default edges emitted for it. */
  const reach: (BitSet | undefined)[] = [];
  for (const index of start.order) {
    const at = position[index] as number;
    const isNamed = named[index] ?? new Set<number>();
    const dependencies = [...new Set(start.dependencies[index] ?? [])].sort(
      (a, b) => (position[b] as number) - (position[a] as number),
    );
    // Sized by the latest dependency, not by the module's own position: sets of `at` bits each were
    // quadratic in memory for modules without dependencies (60,000 such modules: 450 MB, 7 s).
    const capacity = dependencies.length === 0 ? 0 : (position[dependencies[0] as number] as number) + 1;
    const own = new BitSet(capacity);
    const reached = new BitSet(capacity);
    for (const dependency of dependencies) {
      const dependencyAt = position[dependency] as number;
      own.add(dependencyAt);
      own.addAll(ancestors[dependencyAt] as BitSet);
    }
    for (const dependency of dependencies) {
      const dependencyAt = position[dependency] as number;
      if (isNamed.has(dependency) || reached.has(dependencyAt)) continue;
      yield { from: index, to: dependency, reason: 'default' };
      reached.add(dependencyAt);
      reached.addAll(reach[dependencyAt] as BitSet);
    }
    for (const otherAt of own.valuesNotInDescending(reached)) {
      const other = start.order[otherAt] as number;
      if (reached.has(otherAt) || isNamed.has(other)) continue;
      yield { from: index, to: other, reason: 'default' };
      reached.add(otherAt);
      reached.addAll(reach[otherAt] as BitSet);
    }
    for (const dependency of dependencies) {
      const dependencyAt = position[dependency] as number;
      const left = (dependentsLeft[dependencyAt] as number) - 1;
      dependentsLeft[dependencyAt] = left;
      if (left === 0) ancestors[dependencyAt] = undefined;
    }
    if ((dependentsLeft[at] as number) > 0) ancestors[at] = own;
    reach[at] = reached;
  }
}
