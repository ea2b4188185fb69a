import { CoreError } from '@kas/core';
import type { LintRule } from './LintRule.js';

const CODE_PATTERN = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;
const TEXT_FIELDS = ['title', 'summary', 'rationale', 'example', 'fix'] as const;

/**
 * Declares a graph lint rule. Checks the metadata at once and throws `KAS_INVALID_DECLARATION` naming
 * the bad field. The rule set is public API: a third-party package exports its rules as `kasGraphRules`.
 *
 * @example
 * export const auditStopsLast = defineLintRule({
 *   code: 'ACME_AUDIT_STOPS_EARLY',
 *   title: 'audit log stops early',
 *   severity: 'error',
 *   summary: 'the audit log must stop after every module that serves traffic',
 *   rationale: 'records of requests still in flight are lost when the log closes first',
 *   example: "audit-log without stop: { after: ['kube-proxy'] }",
 *   fix: 'declare stop: { after: [...] } on audit-log for every module that accepts or uses a resource',
 *   *check(graph) {
 *     for (const module of graph.plan.modules) {
 *       if (module.uses.length > 0 && !graph.stopsAfter('audit-log', module.name))
 *         yield { message: `...`, fix: `...`, modules: ['audit-log', module.name] };
 *     }
 *   },
 * });
 */
export function defineLintRule(rule: LintRule): LintRule {
  checkLintRule(rule);
  return Object.freeze(rule);
}

/** Checks a value is a well-formed lint rule (by structure, so rules from another copy of the core pass). */
export function checkLintRule(rule: LintRule): void {
  const name = JSON.stringify(rule?.code);
  const fail = (field: string, problem: string, fix: string): never => {
    throw new CoreError('KAS_INVALID_DECLARATION', `lint rule ${name}: ${field} ${problem}`, fix);
  };
  if (typeof rule !== 'object' || rule === null)
    fail(
      'rule',
      'is not an object',
      'give each rule as an object with the fields of LintRule (code, title, severity, ..., check)',
    );
  if (typeof rule.code !== 'string' || !CODE_PATTERN.test(rule.code)) {
    fail('code', 'must be upper-case words joined by "_"', "name it like 'ACME_AUDIT_STOPS_EARLY'");
  }
  if (rule.severity !== 'error' && rule.severity !== 'warn') {
    fail('severity', `is ${JSON.stringify(rule.severity)}`, "use 'error' or 'warn'");
  }
  for (const field of TEXT_FIELDS) {
    const value = rule[field];
    if (typeof value !== 'string' || value.trim() === '')
      fail(field, 'must be a non-empty string', `write its ${field}`);
  }
  if (typeof rule.check !== 'function') {
    fail('check', 'is not a function', 'give check(graph) that yields { message, fix, modules }');
  }
}
