import type { LintRule } from '../../src/index.js';

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
const sentence = (text: string) => `${text.replace(/\.\s*$/, '')}.`;

/** The rule list of docs/kas-graph.md, generated from the rules' metadata so it cannot drift. */
export function renderRuleDocs(rules: readonly LintRule[]): string {
  const lines = [
    '| code | default | what it protects against |',
    '| --- | --- | --- |',
    ...rules.map(
      (rule) =>
        `| [\`${rule.code}\`](#${rule.code.toLowerCase()}) | ${rule.severity} | ${cell(sentence(rule.summary))} |`,
    ),
  ];
  for (const rule of rules) {
    lines.push(
      '',
      `### ${rule.code}`,
      '',
      `**${rule.title}** (default severity: ${rule.severity}). Protects against: ${sentence(rule.summary)}`,
      '',
      rule.rationale,
      '',
      '```text',
      rule.example,
      '```',
      '',
      `**Fix:** ${sentence(rule.fix)}`,
    );
  }
  return lines.join('\n');
}
