import { format } from 'node:util';
import type { Viz } from '@viz-js/viz';
import { CliError } from '../CliError.js';
import { describeThrown } from '../describeThrown.js';
import type { DrawingSize } from './drawLimits.js';

/**
 * Renders Graphviz DOT to SVG with Graphviz compiled to WebAssembly: no system Graphviz, no network.
 * The caller keeps the drawing within `DRAW_LAYOUT_LIMITS`. Throws `KAS_GRAPH_DRAW_FAILED` when Graphviz
 * fails: when it runs out of its WebAssembly memory it exits, which Emscripten throws as an `ExitStatus`
 * object, not an Error. What Graphviz wrote to its stderr goes into that error, not raw onto the user's
 * terminal ahead of it.
 */
export async function renderSvg(dot: string, size: DrawingSize): Promise<string> {
  const graphvizStderr: string[] = [];
  let isReported = false;
  try {
    const viz = await startGraphviz(graphvizStderr);
    try {
      return viz.renderString(dot, { format: 'svg', engine: 'dot' });
    } catch (error) {
      isReported = true;
      throw drawFailed(error, size, graphvizStderr);
    }
  } finally {
    // a render that did not fail prints what Graphviz wrote to stderr, as it always did
    if (!isReported) for (const line of graphvizStderr) console.error(line);
  }
}

/**
 * Starts Graphviz with the lines it writes to stderr collected into `stderr`. @viz-js/viz means them for
 * a render result's `errors`, but its Emscripten build overrides that with `console.error.bind(console)`,
 * bound once as `instance()` starts: so that synchronous call is the one moment to hand it another
 * `console.error`, restored before the WebAssembly even loads.
 */
async function startGraphviz(stderr: string[]): Promise<Viz> {
  const { instance } = await import('@viz-js/viz');
  const consoleError = console.error;
  console.error = (...args: unknown[]) => {
    stderr.push(format(...args));
  };
  try {
    return instance();
  } finally {
    console.error = consoleError;
  }
}

function drawFailed(error: unknown, size: DrawingSize, graphvizStderr: readonly string[]): CliError {
  const thrown = describeThrown(error);
  // Emscripten's abort() prints the message it then throws: keep only what the thrown error does not say
  const said = graphvizStderr
    .map((line) => line.trim())
    .filter((line) => line !== '' && !thrown.includes(line));
  const saysOutOfMemory = said.some((line) => /out of memory/i.test(line));
  const cause = saysOutOfMemory
    ? ': it ran out of memory'
    : isExitStatus(error)
      ? ': most likely it ran out of memory'
      : '';
  const text = said.join('; ');
  const graphvizSaid =
    text === '' ? '' : ` (Graphviz: ${text.length > 300 ? `${text.slice(0, 300)}…` : text})`;
  return new CliError(
    'KAS_GRAPH_DRAW_FAILED',
    `Graphviz (WebAssembly) failed to lay out the drawing of ${size.modules} modules and ${size.edges} edges (${thrown})${cause}${graphvizSaid}`,
    'draw it as text with --format dot (render it with a system Graphviz) or --format mermaid, or draw fewer modules',
    { cause: error },
  );
}

/** Emscripten's `ExitStatus`: thrown when the WebAssembly program exits, e.g. after failing to allocate. */
function isExitStatus(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'ExitStatus';
}
