import { describe, expect, it } from 'vitest';
import { readLifecycleViewAsset } from '../src/index.js';

const textOf = (asset: { body: Buffer } | undefined) => asset?.body.toString() ?? '';

describe('the lifecycle page files', () => {
  it('serve the page, its modules and stylesheet, and the fold of @kas/core/snapshot as the browser loads them', async () => {
    const page = await readLifecycleViewAsset('');
    expect(page?.contentType).toBe('text/html; charset=utf-8');
    expect(page?.body.toString()).toContain('<script type="module" src="main.js"></script>');
    expect((await readLifecycleViewAsset('style.css'))?.contentType).toBe('text/css; charset=utf-8');
    const main = await readLifecycleViewAsset('main.js');
    expect(main?.contentType).toBe('text/javascript; charset=utf-8');
    const fold = await readLifecycleViewAsset('snapshot/index.js');
    expect(fold?.body.toString()).toContain(
      "export { applyLifecycleEvent, applyLifecycleEvents } from './applyLifecycleEvent.js';",
    );
    // Import-free: every import of the fold, followed from its index, is a relative one the page serves.
    const seen = new Set<string>();
    const pending = ['index.js'];
    for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
      if (seen.has(name)) continue;
      seen.add(name);
      const text = (await readLifecycleViewAsset(`snapshot/${name}`))?.body.toString();
      expect(text, `snapshot/${name} is served`).toBeDefined();
      for (const [, specifier] of (text as string).matchAll(/from '([^']+)'/g)) {
        expect(specifier).toMatch(/^\.\/[A-Za-z]+\.js$/);
        pending.push((specifier as string).slice(2));
      }
    }
    expect(seen).toContain('formatLifecycle.js'); // the words the page shares with kas-graph watch
  });

  it('serve eventsource-parser, which the page imports by the name its import map gives, as the browser loads it', async () => {
    expect(textOf(await readLifecycleViewAsset(''))).toContain(
      '{ "imports": { "eventsource-parser": "./eventsource-parser.js" } }',
    );
    const parser = await readLifecycleViewAsset('eventsource-parser.js');
    expect(parser?.contentType).toBe('text/javascript; charset=utf-8');
    expect(textOf(parser)).toMatch(/^export \{[^}]*\bcreateParser\b/m);
    expect(textOf(parser)).not.toMatch(/^import /m); // import-free: nothing else to serve
  });

  it('serve nothing outside the page and the fold', async () => {
    for (const path of [
      '../package.json',
      'snapshot/../../package.json',
      '..%2Fpackage.json',
      'snapshot/index.d.ts',
      'snapshot/index.js.map',
      '/etc/passwd',
      'missing.js',
      'sub/main.js',
      'eventsource-parser.js.map',
      'eventsource-parser/index.js',
      'eventsource-parser/stream.js',
    ]) {
      expect(await readLifecycleViewAsset(path)).toBeUndefined();
    }
  });
});
