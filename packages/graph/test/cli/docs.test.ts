import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KAS_LINT_RULES } from '../../src/index.js';
import { deploymentLintRules } from '../../src/manifests/deploymentLintRules.js';
import { renderRuleDocs } from './ruleDocs.js';

const docsUrl = new URL('../../docs/kas-graph.md', import.meta.url);
const BEGIN = /<!-- rules:begin[^>]*-->\n/;
const END = '<!-- rules:end -->';
const DEPLOYMENT_BEGIN = /<!-- deployment-rules:begin[^>]*-->\n/;
const DEPLOYMENT_END = '<!-- deployment-rules:end -->';

/** Table rows as Biome formats them (cells padded, separator dashes stretched) compare equal to plain ones. */
const normalize = (markdown: string) =>
  markdown
    .split('\n')
    .map((line) => (line.startsWith('|') ? line.replace(/ {2,}/g, ' ').replace(/-{3,}/g, '---') : line))
    .join('\n');

describe('docs/kas-graph.md', () => {
  it('lists every core rule as its metadata says (UPDATE_DOCS=1 rewrites the list)', () => {
    const docs = readFileSync(docsUrl, 'utf8');
    const begin = BEGIN.exec(docs);
    const end = docs.indexOf(END);
    expect(begin).not.toBeNull();
    expect(end).toBeGreaterThan(begin?.index ?? 0);
    const start = (begin?.index ?? 0) + (begin?.[0].length ?? 0);
    const expected = `${renderRuleDocs(KAS_LINT_RULES)}\n`;
    if (process.env.UPDATE_DOCS === '1') {
      writeFileSync(docsUrl, `${docs.slice(0, start)}${expected}${docs.slice(end)}`);
      return;
    }
    expect(normalize(docs.slice(start, end))).toBe(normalize(expected));
  });

  it('lists every deployment rule of --manifests as its metadata says (UPDATE_DOCS=1 rewrites the list)', () => {
    const docs = readFileSync(docsUrl, 'utf8');
    const begin = DEPLOYMENT_BEGIN.exec(docs);
    const end = docs.indexOf(DEPLOYMENT_END);
    expect(begin).not.toBeNull();
    expect(end).toBeGreaterThan(begin?.index ?? 0);
    const start = (begin?.index ?? 0) + (begin?.[0].length ?? 0);
    const expected = `${renderRuleDocs(deploymentLintRules())}\n`;
    if (process.env.UPDATE_DOCS === '1') {
      writeFileSync(docsUrl, `${docs.slice(0, start)}${expected}${docs.slice(end)}`);
      return;
    }
    expect(normalize(docs.slice(start, end))).toBe(normalize(expected));
  });
});
