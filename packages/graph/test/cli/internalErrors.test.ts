import { afterEach, describe, expect, it, vi } from 'vitest';
import { runKasGraphInProcess } from './runKasGraph.js';
import { lintReportValidator, sarifValidator } from './schemas.js';

// The resolver and a core rule, made to fail the way bugs do, to see what the CLI makes of it.
const failures = vi.hoisted(() => ({
  analysis: undefined as unknown,
  rule: undefined as Error | undefined,
}));

vi.mock('@kas/core/analysis', async (importOriginal) => {
  const original = await importOriginal<typeof import('@kas/core/analysis')>();
  return {
    ...original,
    analyzeComposition: (...args: Parameters<typeof original.analyzeComposition>) => {
      if (failures.analysis !== undefined) throw failures.analysis;
      return original.analyzeComposition(...args);
    },
  };
});

vi.mock('../../src/lint/rules/orphanTag.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/lint/rules/orphanTag.js')>();
  return {
    orphanTag: {
      ...original.orphanTag,
      check: (graph: Parameters<typeof original.orphanTag.check>[0]) => {
        if (failures.rule !== undefined) throw failures.rule;
        return original.orphanTag.check(graph);
      },
    },
  };
});

const kas = 'test/fixtures/kas-app/kasApp.ts';

const run = runKasGraphInProcess;

describe('kas-graph internal errors', () => {
  afterEach(() => {
    failures.analysis = undefined;
    failures.rule = undefined;
  });

  it('reports a RangeError of plan resolution (the bitset bug) as KAS_GRAPH_INTERNAL, not as the declaration being wrong', async () => {
    failures.analysis = new RangeError('offset is out of bounds');
    const human = await run(['lint', kas]);
    expect(human.code).toBe(2);
    expect(human.stderr).toMatch(
      /^kas-graph: KAS_GRAPH_INTERNAL: internal error: RangeError: offset is out of bounds\. This is a bug in kas-graph, not a problem in your graph: please report it\n/,
    );
    expect(human.stderr).not.toContain('KAS_GRAPH_INVALID_DECLARATION');
    expect(human.stderr).not.toMatch(/\n {4}at /);

    const json = await run(['lint', kas, '--format', 'json', '--debug']);
    expect(json.code).toBe(2);
    const report = JSON.parse(json.stdout);
    expect(lintReportValidator()(report)).toEqual([]);
    expect(report.error).toMatchObject({
      code: 'KAS_GRAPH_INTERNAL',
      stack: expect.stringContaining('RangeError'),
    });
    expect(json.stderr).toMatch(/\n {4}at /);

    const sarif = await run(['lint', kas, '--format', 'sarif']);
    expect(sarif.code).toBe(2);
    const log = JSON.parse(sarif.stdout);
    expect(sarifValidator()(log)).toEqual([]);
    expect(log.runs[0].invocations[0]).toMatchObject({
      executionSuccessful: false,
      toolExecutionNotifications: [{ descriptor: { id: 'KAS_GRAPH_INTERNAL' } }],
    });
  });

  it('reports a core lint rule that throws as KAS_GRAPH_INTERNAL (a plugin rule that throws is KAS_GRAPH_RULE_FAILED)', async () => {
    failures.rule = new TypeError("Cannot read properties of undefined (reading 'members')");
    const human = await run(['lint', kas]);
    expect(human.code).toBe(2);
    expect(human.stderr).toMatch(
      /^kas-graph: KAS_GRAPH_INTERNAL: internal error: LintRuleError: lint rule KAS_ORPHAN_TAG threw while checking the graph: TypeError: .+please report it\n/,
    );
    const sarif = JSON.parse((await run(['lint', kas, '--format', 'sarif'])).stdout);
    expect(sarifValidator()(sarif)).toEqual([]);
    expect(sarif.runs[0].invocations[0].executionSuccessful).toBe(false);
  });

  it('reports a plan command that fails unexpectedly the same way', async () => {
    failures.analysis = new RangeError('offset is out of bounds');
    const plan = await run(['plan', kas]);
    expect(plan.code).toBe(2);
    expect(plan.stderr).toContain('KAS_GRAPH_INTERNAL');
  });

  it('describes a thrown object that is not an Error by its name and message, never as [object Object]', async () => {
    failures.analysis = Object.assign(Object.create({ constructor: { name: 'ExitStatus' } }), {
      name: 'ExitStatus',
      message: 'Program terminated with exit(1)',
      status: 1,
    });
    const human = await run(['plan', kas, '--debug']);
    expect(human.code).toBe(2);
    expect(human.stderr).toMatch(
      /^kas-graph: KAS_GRAPH_INTERNAL: internal error: ExitStatus: Program terminated with exit\(1\)\. This is a bug/,
    );
    expect(human.stderr).not.toContain('[object Object]');

    failures.analysis = { status: 1 };
    const plain = await run(['plan', kas, '--debug']);
    expect(plain.stderr).toContain('internal error: Object {"status":1}.');
    expect(plain.stderr).not.toContain('[object Object]');
  });
});
