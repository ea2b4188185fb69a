import type { LintRule } from '../lint/LintRule.js';

const sentence = (text: string) => `${text.replace(/\.\s*$/, '')}.`;

const indent = (text: string) =>
  text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');

/** What `kas-graph explain CODE` prints: what the rule protects against, why, an example, and the fix. */
export function formatExplain(rule: LintRule, source: string): string {
  return [
    `${rule.code}: ${rule.title} (default severity: ${rule.severity}${source === 'core' ? '' : `; from plugin ${source}`})`,
    '',
    `Protects against: ${sentence(rule.summary)}`,
    '',
    rule.rationale,
    '',
    'Example:',
    indent(rule.example),
    '',
    `Fix: ${sentence(rule.fix)}`,
    '',
  ].join('\n');
}
