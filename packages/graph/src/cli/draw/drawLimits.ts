import { CliError } from '../CliError.js';

/**
 * The largest drawing `draw --format svg|html` hands to Graphviz: its `dot` layout (crossing
 * minimisation) grows much faster than the graph. Measured on a 2-core machine (AMD EPYC, Node 20,
 * @viz-js/viz 3.31) with random start DAGs, edges counted as the drawing has them (start and stop):
 * 25-50 modules with 290-340 edges took 1.6-3.1 s; 300 modules with 1,100 edges 1.9 s but with 2,200
 * edges 69 s; 100 modules with 1,000 edges 75 s; 150 modules with 1,600 edges 226 s. Modules alone cost
 * little (500 without relations 0.7 s, 1,000 1.6 s). At most 300 edges and 500 modules keeps the
 * layout within a few seconds; text formats (dot, mermaid) have no limit.
 */
export const DRAW_LAYOUT_LIMITS = { modules: 500, edges: 300 } as const;

/** How big a drawing is: its modules, and its edges (start and stop). */
export interface DrawingSize {
  readonly modules: number;
  readonly edges: number;
}

/** Throws `KAS_GRAPH_DRAW_TOO_LARGE` for a drawing over `DRAW_LAYOUT_LIMITS`, before Graphviz starts. */
export function checkDrawLayoutSize(size: DrawingSize, format: string): void {
  const { modules, edges } = DRAW_LAYOUT_LIMITS;
  if (size.modules <= modules && size.edges <= edges) return;
  throw new CliError(
    'KAS_GRAPH_DRAW_TOO_LARGE',
    `draw --format ${format} lays out at most ${modules} modules and ${edges} edges with Graphviz (beyond, its layout takes minutes); this graph has ${size.modules} modules and ${size.edges} edges`,
    'draw it as text: --format dot (render that with a system Graphviz: dot -Tsvg) or --format mermaid; kas-graph plan prints the stages',
  );
}
