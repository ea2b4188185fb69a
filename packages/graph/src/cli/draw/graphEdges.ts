import type { AppPlan } from '@kas/core';

/** An edge of a drawing: `start` (to starts after from), `stop` (to stops after from), or an undirected pair. */
export interface DrawnEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: 'start' | 'stop' | 'with' | 'alongside';
  readonly label: string;
}

/** The edges of both pictures, each pair of a `with`/`alongside` declaration once. */
export function graphEdges(plan: AppPlan): { readonly start: DrawnEdge[]; readonly stop: DrawnEdge[] } {
  const start: DrawnEdge[] = plan.modules.flatMap((module) =>
    module.startAfter.map((dependency) => ({
      from: dependency.module,
      to: module.name,
      kind: 'start' as const,
      // Named from the side of the module that starts later: it needs the token from the provider.
      label:
        dependency.reason === 'needs'
          ? `start (needs ${dependency.token ?? 'a token'} from ${dependency.module})`
          : 'start',
    })),
  );
  // `last` is expanded into `after` pairs in the plan; an edge it made is labelled `last`, as the
  // module declared it, not `after`, which nobody wrote.
  const isLast = new Set(
    plan.modules.filter((module) => module.stop.last === true).map((module) => module.name),
  );
  const stop: DrawnEdge[] = plan.stop.edges.map((edge) => ({
    from: edge.from,
    to: edge.to,
    kind: 'stop' as const,
    label:
      edge.reason !== 'after'
        ? 'stop'
        : isLast.has(edge.to) && !isLast.has(edge.from)
          ? 'stop (last)'
          : 'stop (after)',
  }));
  const seen = new Set<string>();
  for (const module of plan.modules) {
    for (const kind of ['with', 'alongside'] as const) {
      for (const other of module.stop[kind] ?? []) {
        const key = [module.name, other].sort().join('\u0000');
        if (seen.has(key)) continue;
        seen.add(key);
        stop.push({ from: module.name, to: other, kind, label: kind });
      }
    }
  }
  return { start, stop };
}
