import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runKasGraph } from './runKasGraph.js';
import { lintReportValidator, sarifValidator } from './schemas.js';

const unexpected = 'test/fixtures/failures/unexpectedError.ts';
const kas = 'test/fixtures/kas-app/kasApp.ts';
const STACK_LINE = /\n {4}at /;

describe('kas-graph failures, run as a process', () => {
  beforeAll(assertBuilt);
  const directory = mkdtempSync(join(tmpdir(), 'kas-graph-failures-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('reports an unexpected error inside the analysis as KAS_GRAPH_INTERNAL, asking for a report, never as a wrong declaration; the stack only with --debug', async () => {
    const run = await runKasGraph(['lint', unexpected]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      /^kas-graph: KAS_GRAPH_INTERNAL: internal error: TypeError: .+ This is a bug in kas-graph, not a problem in your graph: please report it\n {2}fix: report it with the command line and the output of the same command with --debug/,
    );
    expect(run.stderr).not.toContain('KAS_GRAPH_INVALID_DECLARATION');
    expect(run.stderr).not.toMatch(STACK_LINE);

    const debug = await runKasGraph(['lint', unexpected, '--debug']);
    expect(debug.code).toBe(2);
    expect(debug.stderr).toContain('KAS_GRAPH_INTERNAL');
    expect(debug.stderr).toMatch(STACK_LINE);
    expect(debug.stderr).toContain('analyzeComposition');
  });

  it('still writes a valid JSON report on an internal error, with the error and (with --debug) its stack, and exits 2', async () => {
    const run = await runKasGraph(['lint', unexpected, '--format', 'json']);
    expect(run.code).toBe(2);
    const report = JSON.parse(run.stdout);
    expect(lintReportValidator()(report)).toEqual([]);
    expect(report).toMatchObject({
      entry: unexpected,
      passed: false,
      findings: [],
      rules: [],
      error: { code: 'KAS_GRAPH_INTERNAL', message: expect.stringContaining('please report it') },
    });
    expect(report.error.stack).toBeUndefined();
    expect(run.stderr).toContain('KAS_GRAPH_INTERNAL');

    const debug = JSON.parse((await runKasGraph(['lint', unexpected, '--format', 'json', '--debug'])).stdout);
    expect(lintReportValidator()(debug)).toEqual([]);
    expect(debug.error.stack).toMatch(STACK_LINE);
  });

  it('still writes valid SARIF on an internal error: no results, executionSuccessful false with the failure as a notification, exit 2', async () => {
    const output = join(directory, 'internal.sarif');
    const run = await runKasGraph(['lint', unexpected, '--format', 'sarif', '-o', output]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    const log = JSON.parse(readFileSync(output, 'utf8'));
    expect(sarifValidator()(log)).toEqual([]);
    const [sarifRun] = log.runs;
    expect(sarifRun.results).toEqual([]);
    expect(sarifRun.invocations).toEqual([
      {
        executionSuccessful: false,
        toolExecutionNotifications: [
          {
            level: 'error',
            descriptor: { id: 'KAS_GRAPH_INTERNAL' },
            message: {
              text: expect.stringMatching(/^KAS_GRAPH_INTERNAL: internal error: .+please report it/),
            },
            properties: { isInternal: true },
          },
        ],
      },
    ]);
  });

  it('says executionSuccessful: true in the SARIF of a run that linted', async () => {
    const log = JSON.parse((await runKasGraph(['lint', kas, '--format', 'sarif'])).stdout);
    expect(log.runs[0].invocations).toEqual([{ executionSuccessful: true }]);
  });

  it("writes the documents for the user's own errors too, with their codes: an entry that does not exist", async () => {
    const json = await runKasGraph(['lint', 'test/fixtures/nope.ts', '--format', 'json']);
    expect(json.code).toBe(2);
    const report = JSON.parse(json.stdout);
    expect(lintReportValidator()(report)).toEqual([]);
    expect(report.error.code).toBe('KAS_GRAPH_ENTRY_NOT_FOUND');

    const sarif = await runKasGraph(['lint', 'test/fixtures/nope.ts', '--format', 'sarif']);
    const log = JSON.parse(sarif.stdout);
    expect(sarifValidator()(log)).toEqual([]);
    expect(log.runs[0].invocations[0]).toMatchObject({
      executionSuccessful: false,
      toolExecutionNotifications: [
        { descriptor: { id: 'KAS_GRAPH_ENTRY_NOT_FOUND' }, properties: { isInternal: false } },
      ],
    });
  });

  it('reports a CoreError of the core (a drain budget that is not a duration) as the declaration being wrong', async () => {
    const run = await runKasGraph(['lint', `${unexpected}#badBudget`]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^kas-graph: KAS_GRAPH_INVALID_DECLARATION: module "store": drainBudget: "soon" is not a duration\n {2}fix: give milliseconds/,
    );
  });

  it("blames a plugin's rule that throws on the rule (KAS_GRAPH_RULE_FAILED), not on kas-graph", async () => {
    const run = await runKasGraph(['lint', kas, '--config', 'test/fixtures/failures/throwing-plugin.json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^kas-graph: KAS_GRAPH_RULE_FAILED: lint rule ACME_THROWS threw while checking the graph: Error: acme rule is broken\n {2}fix: report it to the rule's author/,
    );
  });
});
