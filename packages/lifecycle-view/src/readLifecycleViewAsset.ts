import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One file of the page, ready to send. */
export interface LifecycleViewAsset {
  readonly contentType: string;
  readonly body: Buffer;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

// The page's own files; `@kas/core/snapshot`'s compiled fold and eventsource-parser's ES module (both
// import-free, so a browser loads them as they are), found through the package's resolution, not copied.
const WEB_DIRECTORY = fileURLToPath(new URL('../web/', import.meta.url));
const SNAPSHOT_DIRECTORY = dirname(fileURLToPath(import.meta.resolve('@kas/core/snapshot')));
const EVENTSOURCE_PARSER = fileURLToPath(import.meta.resolve('eventsource-parser'));

/**
 * The page file at `path`, relative to where the page is served (`''` or `index.html` is the page,
 * `snapshot/<file>.js` the fold of `@kas/core/snapshot`, `eventsource-parser.js` the stream parser the
 * page's import map names), or undefined when there is no such file. Only plain file names are served:
 * nothing outside these can be named.
 */
export async function readLifecycleViewAsset(path: string): Promise<LifecycleViewAsset | undefined> {
  const [folder, name] =
    path === 'eventsource-parser.js'
      ? [dirname(EVENTSOURCE_PARSER), basename(EVENTSOURCE_PARSER)]
      : path.startsWith('snapshot/')
        ? [SNAPSHOT_DIRECTORY, path.slice('snapshot/'.length)]
        : [WEB_DIRECTORY, path === '' ? 'index.html' : path];
  if (!/^[A-Za-z][A-Za-z0-9_-]*\.(?:html|js|css)$/.test(name)) return undefined;
  if (folder === SNAPSHOT_DIRECTORY && !name.endsWith('.js')) return undefined;
  const contentType = CONTENT_TYPES[name.slice(name.lastIndexOf('.'))] as string;
  try {
    return { contentType, body: await readFile(join(folder, name)) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
