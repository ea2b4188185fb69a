import { readFileSync } from 'node:fs';

/** kas's version, from its package.json (the same path from `src/` and `dist/`). */
export const KAS_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
