import { CliError } from '../CliError.js';
import { describeThrown } from '../describeThrown.js';

/** How big the drawing is, for the error that says Graphviz could not render it. */
export interface DrawingSize {
  readonly modules: number;
  readonly edges: number;
}

/**
 * Renders Graphviz DOT to SVG with Graphviz compiled to WebAssembly: no system Graphviz, no network.
 * Throws `KAS_GRAPH_DRAW_FAILED` when Graphviz fails: on a large graph it runs out of its WebAssembly
 * memory and exits, which Emscripten throws as an `ExitStatus` object, not an Error.
 */
export async function renderSvg(dot: string, size: DrawingSize): Promise<string> {
  const { instance } = await import('@viz-js/viz');
  const viz = await instance();
  try {
    return viz.renderString(dot, { format: 'svg', engine: 'dot' });
  } catch (error) {
    throw new CliError(
      'KAS_GRAPH_DRAW_FAILED',
      `Graphviz (WebAssembly) failed to lay out the drawing of ${size.modules} modules and ${size.edges} edges (${describeThrown(error)})${
        isExitStatus(error) ? ': most likely it ran out of memory' : ''
      }`,
      'draw it as text with --format dot (render it with a system Graphviz) or --format mermaid, or draw fewer modules',
      { cause: error },
    );
  }
}

/** Emscripten's `ExitStatus`: thrown when the WebAssembly program exits, e.g. after failing to allocate. */
function isExitStatus(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'ExitStatus';
}
