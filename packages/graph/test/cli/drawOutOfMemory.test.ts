import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, type CliRun, packageDirectory, runKasGraph } from './runKasGraph.js';

const fixtures = join(packageDirectory, 'test/fixtures/draw-out-of-memory');

/**
 * Runs the built CLI with WebAssembly memory unable to grow (wasmMemoryAtItsLimit.mjs), so the real
 * @viz-js/viz runs out of memory on manyModules.ts in a second, exactly as it does on a graph of
 * thousands of modules after 10 s and 2 GB (`kas-graph draw` of 2,000 modules with long start chains).
 */
function drawOutOfMemory(format: string): Promise<CliRun> {
  return runKasGraph(['draw', join(fixtures, 'manyModules.ts'), '--format', format], packageDirectory, [
    '--import',
    join(fixtures, 'wasmMemoryAtItsLimit.mjs'),
  ]);
}

describe('kas-graph draw when Graphviz runs out of memory, run as a process with the real Graphviz', () => {
  beforeAll(assertBuilt);

  it.each(['svg', 'html'])(
    '--format %s prints only KAS_GRAPH_DRAW_FAILED, with what Graphviz said in it (its raw "out of memory" line reached stderr first)',
    async (format) => {
      const drawn = await drawOutOfMemory(format);
      expect(drawn.code).toBe(2);
      expect(drawn.stdout).toBe('');
      expect(drawn.stderr).toMatch(
        /^kas-graph: KAS_GRAPH_DRAW_FAILED: Graphviz \(WebAssembly\) failed to lay out the drawing of 300 modules and 0 edges \(ExitStatus: Program terminated with exit\(1\)\): it ran out of memory \(Graphviz: out of memory when trying to allocate \d+ bytes\)\n {2}fix: .*--format dot.*--format mermaid.*fewer modules\n$/,
      );
      expect(drawn.stderr).not.toMatch(/^out of memory/m);
    },
  );
});
