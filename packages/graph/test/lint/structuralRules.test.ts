import { type AnyModule, createToken } from '@kas/core';
import { describe, expect, it } from 'vitest';
import { KAS_LINT_RULES, lintComposition } from '../../src/index.js';
import { declare } from './declare.js';

const Redis = createToken<string>('redis-connection.client');
const ok = [
  declare({ name: 'store', provides: { redis: Redis } }),
  declare({ name: 'proxy', startAfter: ['store'], needs: { redis: Redis } }),
];

/** For each structural code: a graph that has the problem; the passing graph is `ok`. */
const failing: Record<string, readonly AnyModule[]> = {
  KAS_DUPLICATE_MODULE: [...ok, declare({ name: 'store' })],
  KAS_UNKNOWN_MODULE: [...ok, declare({ name: 'extra', startAfter: ['stor'] })],
  KAS_START_CYCLE: [declare({ name: 'a', startAfter: ['b'] }), declare({ name: 'b', startAfter: ['a'] })],
  KAS_STOP_CYCLE: [
    declare({ name: 'store' }),
    declare({ name: 'cache', startAfter: ['store'] }),
    declare({ name: 'proxy', startAfter: ['cache'], stop: { after: ['store'] } }),
  ],
  KAS_STOP_CONTRADICTION: [
    declare({ name: 'store' }),
    declare({ name: 'proxy', startAfter: ['store'], stop: { with: ['store'] } }),
    declare({ name: 'other', startAfter: ['store'], stop: { after: ['store'], with: ['proxy'] } }),
  ],
  KAS_TOKEN_NOT_PROVIDED: [declare({ name: 'proxy', needs: { redis: Redis } })],
  KAS_TOKEN_PROVIDED_TWICE: [...ok, declare({ name: 'second', provides: { redis: Redis } })],
};

describe('structural rules', () => {
  it('are the codes analyzeComposition reports, each an error with its explain text', () => {
    const structural = KAS_LINT_RULES.filter((rule) => rule.code in failing);
    expect(structural.map((rule) => rule.code).sort()).toEqual(Object.keys(failing).sort());
    for (const rule of structural) expect(rule.severity).toBe('error');
  });

  it('pass on a graph without structural problems', () => {
    expect(lintComposition({ modules: ok }).findings).toEqual([]);
  });

  it.each(Object.entries(failing))(
    'report %s with the modules and the fix of the problem',
    (code, modules) => {
      const result = lintComposition({ modules });
      const finding = result.findings.find((candidate) => candidate.code === code);
      expect(finding).toMatchObject({ severity: 'error' });
      expect(finding?.modules.length).toBeGreaterThan(0);
      expect(finding?.fix.length).toBeGreaterThan(0);
    },
  );

  it('report every independent start cycle and every independent stop cycle in one run (an operator fixed one, reran and found the next)', () => {
    const startCycles = lintComposition({
      modules: [
        declare({ name: 'a', startAfter: ['b'] }),
        declare({ name: 'b', startAfter: ['a'] }),
        declare({ name: 'c', startAfter: ['d'] }),
        declare({ name: 'd', startAfter: ['c'] }),
      ],
    });
    expect(startCycles.findings.map((finding) => [finding.code, finding.modules])).toEqual([
      ['KAS_START_CYCLE', ['a', 'b']],
      ['KAS_START_CYCLE', ['c', 'd']],
    ]);
    const ring = (suffix: string) => [
      declare({ name: `store${suffix}` }),
      declare({ name: `cache${suffix}`, startAfter: [`store${suffix}`] }),
      declare({
        name: `proxy${suffix}`,
        startAfter: [`cache${suffix}`],
        stop: { after: [`store${suffix}`] },
      }),
    ];
    const stopCycles = lintComposition({ modules: [...ring('-1'), ...ring('-2')] });
    expect(stopCycles.findings.map((finding) => finding.code)).toEqual(['KAS_STOP_CYCLE', 'KAS_STOP_CYCLE']);
    expect(stopCycles.findings[0]?.message).toContain('store-1 -[after]-> proxy-1');
    expect(stopCycles.findings[1]?.message).toContain('store-2 -[after]-> proxy-2');
  });

  it('report an "after" on a module that declares last (the last module silently stopped before it)', () => {
    const result = lintComposition({
      modules: [
        declare({ name: 'redis-connection', stop: { last: true } }),
        declare({ name: 'audit', stop: { after: ['redis-connection'] } }),
      ],
    });
    expect(result.findings).toMatchObject([
      { code: 'KAS_STOP_CONTRADICTION', severity: 'error', modules: ['redis-connection', 'audit'] },
    ]);
  });

  it('skip the plan rules when a cycle leaves no plan, saying why', () => {
    const result = lintComposition({ modules: failing.KAS_START_CYCLE ?? [] });
    expect(result.plan).toBeUndefined();
    expect(result.rules.find((applied) => applied.rule.code === 'KAS_USE_OUTLIVES_OWNER')?.skipped).toBe(
      'no plan: the graph has a start or stop cycle',
    );
    expect(result.errorCount).toBe(1);
  });
});
