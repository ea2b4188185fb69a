import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runKasGraph } from './runKasGraph.js';
import { lintReportValidator } from './schemas.js';

const fixtures = 'test/fixtures/entry-load';

describe('kas-graph on an entry that fails as it loads, run as a process', () => {
  beforeAll(assertBuilt);

  it('blames an entry whose modules getter throws on the entry, with what it threw (it said KAS_GRAPH_INTERNAL)', async () => {
    const entry = `${fixtures}/throwingModules.ts`;
    for (const command of ['lint', 'plan', 'draw']) {
      const run = await runKasGraph([command, entry]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(
        new RegExp(
          `^kas-graph: KAS_GRAPH_ENTRY_LOAD_FAILED: reading "modules" of the default export of ${entry} threw: Error: KAS_EDGE_MODULES is not set: the edge modules cannot be listed\\n {2}fix: `,
        ),
      );
      expect(run.stderr).not.toContain('KAS_GRAPH_INTERNAL');
    }
  });

  it("reports a KAS_* error the entry's import threw with its own code, message and fix, without the build hint (a drain budget 'soon')", async () => {
    const entry = `${fixtures}/invalidBudget.ts`;
    const run = await runKasGraph(['lint', entry]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      new RegExp(
        `^kas-graph: KAS_GRAPH_ENTRY_LOAD_FAILED: importing ${entry} failed: KAS_INVALID_DECLARATION: module "store": drainBudget: "soon" is not a duration\\n {2}fix: give milliseconds`,
      ),
    );
    expect(run.stderr).not.toContain('npm run build');

    const json = await runKasGraph(['lint', entry, '--format', 'json']);
    const report = JSON.parse(json.stdout);
    expect(lintReportValidator()(report)).toEqual([]);
    expect(report.error).toMatchObject({
      code: 'KAS_GRAPH_ENTRY_LOAD_FAILED',
      message: expect.stringContaining('KAS_INVALID_DECLARATION: module "store"'),
    });
  });

  it("says an entry's composeFromConfig resolved with no composition (it was a TypeError: KAS_GRAPH_INTERNAL)", async () => {
    const entry = `${fixtures}/composeWithoutComposition.ts`;
    const run = await runKasGraph(['lint', entry, '--config', 'test/fixtures/kas-config/kas.yaml']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      new RegExp(
        `^kas-graph: KAS_GRAPH_NOT_AN_APP: composeFromConfig of ${entry} resolved with no composition\\n {2}fix: `,
      ),
    );
  });

  it('says an entry whose top-level await never settles never finished loading (Node exited 13 and nothing was printed)', async () => {
    const entry = `${fixtures}/neverSettles.ts`;
    const run = await runKasGraph(['lint', entry]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      new RegExp(
        `^kas-graph: KAS_GRAPH_ENTRY_LOAD_FAILED: ${entry} never finished loading: its import waits on a top-level await that never settles, and nothing else is left running\\n {2}fix: `,
      ),
    );

    const json = await runKasGraph(['lint', entry, '--format', 'json']);
    expect(json.code).toBe(2);
    const report = JSON.parse(json.stdout);
    expect(lintReportValidator()(report)).toEqual([]);
    expect(report.error.code).toBe('KAS_GRAPH_ENTRY_LOAD_FAILED');
  });
});
