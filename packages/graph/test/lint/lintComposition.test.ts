import { fileURLToPath } from 'node:url';
import { CoreError, createApp, defineModule } from '@kas/core';
import { describe, expect, it } from 'vitest';
import { defineLintRule, type LintRule, lintComposition, lintPlan } from '../../src/index.js';
import { declare } from './declare.js';

const modules = [
  declare({ name: 'edge', accepts: ['conns'], drainBudget: '10s' }),
  declare({
    name: 'proxy',
    startAfter: ['edge'],
    drainBudget: '1h',
    uses: ['conns'],
    stop: { alongside: ['edge'] },
  }),
  declare({ name: 'metrics', startAfter: ['edge'], drainBudget: '1h' }),
  declare({ name: 'jobs', uses: ['queue'] }),
];

const everyModuleNamed = (prefix: string): LintRule =>
  defineLintRule({
    code: 'ACME_MODULE_PREFIX',
    title: 'module prefix',
    severity: 'warn',
    summary: `module names start with ${prefix}`,
    rationale: 'dashboards group modules by prefix',
    example: "defineModule({ name: 'proxy' })",
    fix: `rename the module to ${prefix}<name>`,
    *check(graph) {
      for (const module of graph.plan.modules) {
        if (!module.name.startsWith(prefix))
          yield { message: `"${module.name}" lacks ${prefix}`, fix: 'rename it', modules: [module.name] };
      }
    },
  });

function coreError(run: () => unknown): CoreError {
  try {
    run();
  } catch (error) {
    if (error instanceof CoreError) return error;
    throw error;
  }
  throw new Error('expected a CoreError');
}

describe('lintComposition', () => {
  it('reports findings in rule order with counts', () => {
    const result = lintComposition({ modules });
    expect(result.findings.map((finding) => finding.code)).toEqual([
      'KAS_ACCEPTOR_BEHIND_DRAIN',
      'KAS_USE_OUTLIVES_OWNER',
      'KAS_ORPHAN_TAG',
    ]);
    expect([result.errorCount, result.warningCount]).toEqual([2, 1]);
  });

  it('applies settings: a rule turned off is skipped, a rule set to warn reports warnings', () => {
    const result = lintComposition(
      { modules },
      { settings: { KAS_ACCEPTOR_BEHIND_DRAIN: 'warn', KAS_ORPHAN_TAG: 'off' } },
    );
    expect(result.findings.map((finding) => [finding.code, finding.severity])).toEqual([
      ['KAS_ACCEPTOR_BEHIND_DRAIN', 'warn'],
      ['KAS_USE_OUTLIVES_OWNER', 'error'],
    ]);
    expect(result.rules.find((applied) => applied.rule.code === 'KAS_ORPHAN_TAG')).toMatchObject({
      setting: 'off',
      skipped: 'turned off',
    });
  });

  it('runs extra rules after the core ones', () => {
    const result = lintComposition({ modules }, { rules: [everyModuleNamed('kas-')] });
    expect(result.findings.filter((finding) => finding.code === 'ACME_MODULE_PREFIX')).toHaveLength(4);
  });

  it('refuses a setting for an unknown code, a structural rule below error, and duplicate codes', () => {
    expect(
      coreError(() => lintComposition({ modules }, { settings: { KAS_NOPE: 'off' } })).message,
    ).toContain('no lint rule has the code KAS_NOPE');
    expect(
      coreError(() => lintComposition({ modules }, { settings: { KAS_START_CYCLE: 'warn' } })).message,
    ).toContain('structural rules stay errors');
    const rule = everyModuleNamed('x');
    expect(coreError(() => lintComposition({ modules }, { rules: [rule, rule] })).message).toBe(
      'two lint rules have the code ACME_MODULE_PREFIX',
    );
  });

  it('says which rule threw', () => {
    const broken = {
      ...everyModuleNamed('x'),
      check: () => {
        throw new Error('boom');
      },
    };
    expect(() => lintComposition({ modules }, { rules: [broken] })).toThrow(
      'lint rule ACME_MODULE_PREFIX threw while checking the graph: Error: boom',
    );
  });

  it('lints the plans of an app that was already composed', () => {
    const app = createApp({ modules });
    expect(lintPlan(app.plan()).findings.map((finding) => finding.code)).toEqual(
      lintComposition({ modules }).findings.map((finding) => finding.code),
    );
  });
});

describe('defineLintRule', () => {
  it('rejects a malformed code, severity or missing text, naming the field', () => {
    const rule = everyModuleNamed('x');
    expect(coreError(() => defineLintRule({ ...rule, code: 'acme-rule' })).message).toBe(
      'lint rule "acme-rule": code must be upper-case words joined by "_"',
    );
    expect(coreError(() => defineLintRule({ ...rule, severity: 'info' as 'warn' })).message).toContain(
      'severity is "info"',
    );
    expect(coreError(() => defineLintRule({ ...rule, example: ' ' })).message).toContain(
      'example must be a non-empty string',
    );
  });
});

describe('where findings point', () => {
  it('at the defineModule call of the first module a finding names, when the rule gives no place', () => {
    const hooks = () => ({ start: async () => {}, stop: async () => {} });
    const edge = defineModule({ name: 'edge', accepts: ['conns'], create: hooks });
    const line = Number(new Error().stack?.split('\n')[1]?.match(/:(\d+):\d+\)?$/)?.[1]) + 1;
    const directory = defineModule({
      name: 'directory',
      startAfter: ['edge'],
      advertises: ['conns'],
      create: hooks,
    });
    const [finding] = lintComposition({ modules: [edge, directory] }).findings.filter(
      (candidate) => candidate.code === 'KAS_ADVERTISE_ACCEPT_SPLIT',
    );
    expect(finding?.modules[0]).toBe('directory');
    expect(finding?.location).toEqual({
      file: fileURLToPath(import.meta.url),
      line,
      column: expect.any(Number),
    });
  });
});
