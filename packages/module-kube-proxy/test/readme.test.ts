import { readFileSync, writeFileSync } from 'node:fs';
import { replaceConfigReference } from '@kas/config';
import { describe, expect, it } from 'vitest';
import { kubeProxyConfigSchema, privateApiConfigSchema } from '../src/index.js';

const readmeUrl = new URL('../README.md', import.meta.url);

describe('the README configuration section', () => {
  it('is generated from the config schemas (UPDATE_DOCS=1 npx vitest run test/readme.test.ts rewrites it)', () => {
    const readme = readFileSync(readmeUrl, 'utf8');
    const withProxy = replaceConfigReference(readme, kubeProxyConfigSchema, {
      headingLevel: 4,
      markerName: 'kubeProxyModule',
    });
    const expected = replaceConfigReference(withProxy ?? '', privateApiConfigSchema, {
      headingLevel: 4,
      markerName: 'privateApiModule',
    });
    expect(expected, 'the README has both config-reference markers').toBeDefined();
    if (process.env.UPDATE_DOCS === '1') {
      writeFileSync(readmeUrl, expected as string);
      return;
    }
    expect(readme, 'run UPDATE_DOCS=1 npx vitest run test/readme.test.ts in packages/module-kube-proxy').toBe(
      expected,
    );
  });
});
