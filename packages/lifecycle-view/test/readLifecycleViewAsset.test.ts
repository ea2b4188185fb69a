import { describe, expect, it } from 'vitest';
import { readLifecycleViewAsset } from '../src/index.js';

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
      "export { applyLifecycleEvent } from './applyLifecycleEvent.js';",
    );
    // Import-free: every import of the fold is a relative one the page can serve too.
    for (const name of [
      'index.js',
      'applyLifecycleEvent.js',
      'createSnapshot.js',
      'foldLifecycleEvents.js',
    ]) {
      const text = (await readLifecycleViewAsset(`snapshot/${name}`))?.body.toString() ?? '';
      for (const [, specifier] of text.matchAll(/from '([^']+)'/g))
        expect(specifier).toMatch(/^\.\/[A-Za-z]+\.js$/);
    }
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
    ]) {
      expect(await readLifecycleViewAsset(path)).toBeUndefined();
    }
  });
});
