import { afterEach, describe, expect, it, vi } from 'vitest';
import { runKasGraphInProcess } from './runKasGraph.js';

/** What Emscripten throws when Graphviz-wasm exits (on a large graph: out of memory): not an Error. */
class ExitStatus {
  readonly name = 'ExitStatus';
  readonly message = 'Program terminated with exit(1)';
  constructor(readonly status: number) {}
}

/** What Emscripten's abort() throws (WebAssembly.RuntimeError, not in this package's types). */
class RuntimeError extends Error {
  override readonly name = 'RuntimeError';
}

/** How the Graphviz below fails: it may print to its stderr first, then throws. */
const graphviz = vi.hoisted(() => ({
  fail: (_stderr: (line: string) => void): never => {
    throw new Error('set by each test');
  },
}));

// Graphviz itself, made to fail as it does on a graph of 1,000 modules (that takes 15 s and 2 GB for real).
// Like Emscripten's build of it, its stderr is console.error as it was when the instance started.
vi.mock('@viz-js/viz', () => ({
  instance: async () => {
    const stderr = console.error.bind(console);
    return { renderString: () => graphviz.fail(stderr) };
  },
}));

const run = runKasGraphInProcess;

describe('kas-graph draw when Graphviz fails', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it.each(['svg', 'html'])(
    'says --format %s ran Graphviz out of memory on a graph of N modules and M edges, and what to draw instead (it printed KAS_GRAPH_INTERNAL: [object Object])',
    async (format) => {
      graphviz.fail = () => {
        throw new ExitStatus(1);
      };
      const drawn = await run(['draw', 'test/fixtures/kas-app/kasApp.ts', '--format', format]);
      expect(drawn.code).toBe(2);
      expect(drawn.stdout).toBe('');
      expect(drawn.stderr).toMatch(
        /^kas-graph: KAS_GRAPH_DRAW_FAILED: Graphviz \(WebAssembly\) failed to lay out the drawing of 6 modules and \d+ edges \(ExitStatus: Program terminated with exit\(1\)\): most likely it ran out of memory\n {2}fix: .*--format dot.*--format mermaid.*fewer modules/,
      );
      expect(drawn.stderr).not.toContain('[object Object]');
    },
  );

  it('says what an Emscripten abort threw once, and does not print the line the abort printed before throwing it', async () => {
    const consoleError = vi.spyOn(console, 'error');
    graphviz.fail = (stderr) => {
      stderr('Aborted(OOM)');
      throw new RuntimeError('Aborted(OOM). Build with -sASSERTIONS for more info.');
    };
    const drawn = await run(['draw', 'test/fixtures/kas-app/kasApp.ts', '--format', 'svg']);
    expect(drawn.code).toBe(2);
    expect(drawn.stderr).toMatch(
      /^kas-graph: KAS_GRAPH_DRAW_FAILED: Graphviz \(WebAssembly\) failed to lay out the drawing of 6 modules and \d+ edges \(RuntimeError: Aborted\(OOM\)\. Build with -sASSERTIONS for more info\.\)\n {2}fix: /,
    );
    expect(consoleError).not.toHaveBeenCalled();
  });
});
