import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_ERROR_CODES } from '../src/index.js';

describe('the README error code table', () => {
  it('lists exactly the codes the package uses, with the same meanings', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Error codes'));
    const rows = [...section.matchAll(/^\| `(KAS_[A-Z_]+)` +\| (.+?) +\| .+ \|$/gm)].map((match) => [
      match[1],
      match[2],
    ]);
    expect(Object.fromEntries(rows)).toEqual(CONFIG_ERROR_CODES);
  });
});
