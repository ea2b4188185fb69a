import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { CliError } from '../CliError.js';

const CONDITIONS = ['import', 'node', 'default'] as const;

/**
 * The file to import for an entry path: the file itself, or for a package directory the file its
 * package.json `exports` (".") or `main` names, falling back to `src/index.ts` (a workspace package
 * that is not built), then `index.ts`/`index.js`.
 */
export function resolveEntryFile(path: string, cwd: string): string {
  const absolute = resolve(cwd, path);
  if (!existsSync(absolute)) {
    throw new CliError(
      'KAS_GRAPH_ENTRY_NOT_FOUND',
      `${path} does not exist (looked at ${absolute})`,
      'give a JS/TS file or a package directory, relative to the current directory',
    );
  }
  if (statSync(absolute).isFile()) return absolute;
  const candidates = [...packageEntries(absolute), 'src/index.ts', 'index.ts', 'index.js'].map((file) =>
    join(absolute, file),
  );
  const found = candidates.find((file) => existsSync(file) && statSync(file).isFile());
  if (found !== undefined) return found;
  throw new CliError(
    'KAS_GRAPH_ENTRY_NOT_FOUND',
    `${path} is a directory without an entry file (looked for ${candidates.map((file) => file.slice(absolute.length + 1)).join(', ')})`,
    'build the package (npm run build), or give the file that exports the composition',
  );
}

/**
 * The file `resolveEntryFile` found, as the user wrote its entry: the entry itself when it is the file,
 * else the entry joined with the file its package names (an absolute entry stays absolute).
 */
export function shownEntryFile(path: string, file: string, cwd: string): string {
  const entry = resolve(cwd, path);
  return entry === file ? path : join(path, relative(entry, file));
}

/** Files a package.json names as its entry, most specific first. */
function packageEntries(directory: string): string[] {
  const manifestPath = join(directory, 'package.json');
  if (!existsSync(manifestPath)) return [];
  let manifest: { exports?: unknown; main?: unknown };
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (error) {
    throw new CliError(
      'KAS_GRAPH_ENTRY_NOT_FOUND',
      `${manifestPath} is not valid JSON: ${(error as Error).message}`,
      'fix the package.json',
      { cause: error },
    );
  }
  const entries: string[] = [];
  const exported = exportTarget(manifest.exports);
  if (exported !== undefined) entries.push(exported);
  if (typeof manifest.main === 'string') entries.push(manifest.main);
  return entries;
}

/** The target of the "." export under the import/node/default conditions. */
function exportTarget(exports: unknown): string | undefined {
  if (typeof exports === 'string') return exports;
  if (typeof exports !== 'object' || exports === null || Array.isArray(exports)) return undefined;
  const record = exports as Record<string, unknown>;
  if ('.' in record) return exportTarget(record['.']);
  for (const condition of CONDITIONS) {
    const target = exportTarget(record[condition]);
    if (target !== undefined) return target;
  }
  return undefined;
}
