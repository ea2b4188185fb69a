import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { replaceConfigReference } from '@kas/config';
import { describe, expect, it } from 'vitest';
import { redisConnectionConfigSchema, tunnelTrackerConfigSchema } from '../src/index.js';

const readmeUrl = new URL('../README.md', import.meta.url);

describe('the README configuration section', () => {
  it('is generated from the config schemas (UPDATE_DOCS=1 npx vitest run test/readme.test.ts rewrites it)', () => {
    const readme = readFileSync(readmeUrl, 'utf8');
    const withTracker = replaceConfigReference(readme, tunnelTrackerConfigSchema, {
      headingLevel: 4,
      markerName: 'tunnelTrackerModule',
    });
    const expected = replaceConfigReference(withTracker ?? '', redisConnectionConfigSchema, {
      headingLevel: 4,
      markerName: 'redisConnectionModule',
    });
    expect(expected, 'the README has both config-reference markers').toBeDefined();
    if (process.env.UPDATE_DOCS === '1') {
      writeFileSync(readmeUrl, expected as string);
      return;
    }
    expect(
      readme,
      'run UPDATE_DOCS=1 npx vitest run test/readme.test.ts in packages/module-tunnel-tracker',
    ).toBe(expected);
  });
});

describe('the README log events table', () => {
  it('lists every event the package logs, and no other', () => {
    const sources = new URL('../src/', import.meta.url);
    const logged = new Set<string>();
    for (const file of readdirSync(sources, { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.ts')) continue;
      const text = readFileSync(new URL(file, sources), 'utf8');
      for (const match of text.matchAll(/\bevent: '([a-zA-Z]+\.[a-zA-Z]+)'/g)) logged.add(match[1] ?? '');
    }
    const readme = readFileSync(readmeUrl, 'utf8');
    const section = readme.slice(readme.indexOf('\n## Log events'), readme.indexOf('\n## Measuring it'));
    const listed = [...section.matchAll(/^\| `([a-zA-Z]+\.[a-zA-Z]+)` +\|/gm)].map((match) => match[1]);
    expect(listed.slice().sort()).toEqual([...logged].sort());
  });
});
