import { describe, expect, it, vi } from 'vitest';
import { runKasGraphInProcess } from './runKasGraph.js';

/** How often Graphviz was started: a graph over the limits must be refused before it is. */
const graphviz = vi.hoisted(() => ({ started: 0 }));

vi.mock('@viz-js/viz', async (importOriginal) => {
  const original = await importOriginal<typeof import('@viz-js/viz')>();
  return {
    ...original,
    instance: () => {
      graphviz.started += 1;
      return original.instance();
    },
  };
});

const graphs = 'test/fixtures/draw-too-large/largeGraphs.ts';

const run = runKasGraphInProcess;

describe('kas-graph draw --format svg|html on a graph too large to lay out in seconds', () => {
  it.each([
    ['svg', 'manyModules', '501 modules and 0 edges'],
    ['html', 'manyModules', '501 modules and 0 edges'],
    ['svg', 'manyEdges', '152 modules and 302 edges'],
    ['html', 'manyEdges', '152 modules and 302 edges'],
  ])(
    '--format %s refuses %s up front with KAS_GRAPH_DRAW_TOO_LARGE and what to draw instead (dense graphs of this size ran Graphviz for minutes)',
    async (format, graph, size) => {
      graphviz.started = 0;
      const drawn = await run(['draw', `${graphs}#${graph}`, '--format', format]);
      expect(drawn.code).toBe(2);
      expect(drawn.stdout).toBe('');
      expect(drawn.stderr).toBe(
        `kas-graph: KAS_GRAPH_DRAW_TOO_LARGE: draw --format ${format} lays out at most 500 modules and 300 edges with Graphviz (beyond, its layout takes minutes); this graph has ${size}\n` +
          `  fix: draw it as text: --format dot (render that with a system Graphviz: dot -Tsvg) or --format mermaid; kas-graph plan prints the stages\n`,
      );
      expect(graphviz.started).toBe(0);
    },
  );

  it.each(['dot', 'mermaid'])('--format %s draws the same graphs: text has no limit', async (format) => {
    for (const graph of ['manyModules', 'manyEdges']) {
      const drawn = await run(['draw', `${graphs}#${graph}`, '--format', format]);
      expect(drawn.stderr).toBe('');
      expect(drawn.code).toBe(0);
      expect(drawn.stdout).toContain('module-150');
    }
  });

  it('draws a graph at the limit (300 edges) as SVG', { timeout: 60_000 }, async () => {
    const drawn = await run(['draw', `${graphs}#atTheEdgeLimit`, '--format', 'svg']);
    expect(drawn.stderr).toBe('');
    expect(drawn.code).toBe(0);
    expect(drawn.stdout).toContain('<svg');
  });
});
