import { describe, expect, it, vi } from 'vitest';
import { runKasGraphInProcess } from './runKasGraph.js';

/** What Emscripten throws when Graphviz-wasm exits (on a large graph: out of memory): not an Error. */
class ExitStatus {
  readonly name = 'ExitStatus';
  readonly message = 'Program terminated with exit(1)';
  constructor(readonly status: number) {}
}

// Graphviz itself, made to fail as it does on a graph of 1,000 modules (that takes 15 s and 2 GB for real).
vi.mock('@viz-js/viz', () => ({
  instance: async () => ({
    renderString: () => {
      throw new ExitStatus(1);
    },
  }),
}));

const run = runKasGraphInProcess;

describe('kas-graph draw when Graphviz fails', () => {
  it.each(['svg', 'html'])(
    'says --format %s ran Graphviz out of memory on a graph of N modules and M edges, and what to draw instead (it printed KAS_GRAPH_INTERNAL: [object Object])',
    async (format) => {
      const drawn = await run(['draw', 'test/fixtures/kas-app/kasApp.ts', '--format', format]);
      expect(drawn.code).toBe(2);
      expect(drawn.stdout).toBe('');
      expect(drawn.stderr).toMatch(
        /^kas-graph: KAS_GRAPH_DRAW_FAILED: Graphviz \(WebAssembly\) failed to lay out the drawing of 6 modules and \d+ edges \(ExitStatus: Program terminated with exit\(1\)\): most likely it ran out of memory\n {2}fix: .*--format dot.*--format mermaid.*fewer modules/,
      );
      expect(drawn.stderr).not.toContain('[object Object]');
    },
  );
});
