import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';

/** The file to import for a `modules:` entry, or why there is none and what to do. */
export type FoundModuleFile = { readonly file: string } | { readonly missing: string; readonly fix: string };

/**
 * The file to import for a `modules:` entry: a package name resolved from `base`, or a path (`./x`, `../x`
 * or absolute) to a file or a package directory.
 */
export function findModuleFile(specifier: string, base: string): FoundModuleFile {
  const isPath = specifier.startsWith('.') || isAbsolute(specifier);
  if (!isPath) return findPackage(specifier, base);
  const path = resolve(base, specifier);
  if (!existsSync(path)) {
    return {
      missing: `${path} does not exist`,
      fix: `correct the path: one that starts with ./ or ../ is relative to the config file's directory (${base})`,
    };
  }
  if (!statSync(path).isDirectory()) return { file: path };
  const manifest = join(path, 'package.json');
  const file = existsSync(manifest) ? manifestEntry(manifest) : join(path, 'index.js');
  if (existsSync(file)) return { file };
  return existsSync(manifest)
    ? {
        missing: `the package in ${path} is not built: its entry ${file} does not exist`,
        fix: `build the package (npm run build in ${path}), then start again`,
      }
    : {
        missing: `${path} has neither a package.json nor an index.js`,
        fix: 'give the path of a package (a directory with a package.json), a directory with an index.js, or a file',
      };
}

function findPackage(specifier: string, base: string): FoundModuleFile {
  try {
    return { file: createRequire(join(base, 'kas.yaml')).resolve(specifier) };
  } catch (error) {
    const missing = (error as Error).message.split('\n')[0] as string;
    // `extra/stats.mjs` is a package name to Node (package `extra`, file `stats.mjs`): a path it is not.
    const path = resolve(base, specifier);
    if (existsSync(path)) {
      return {
        missing: `${missing} (a package name: an entry that does not start with ./, ../ or / is one, and ${path} is a file, not a package)`,
        fix: `write it as ./${specifier}: a path must start with ./ or ../ (relative to the config file's directory, ${base}) or /`,
      };
    }
    return {
      missing,
      fix: `install the package where the config can find it (npm install ${specifier} in ${base}; a package of your own: build it first), or give a path that starts with ./ or ../ (relative to the config file) or / to a built package or file`,
    };
  }
}

function manifestEntry(manifest: string): string {
  const { exports, main } = JSON.parse(readFileSync(manifest, 'utf8')) as {
    exports?: unknown;
    main?: string;
  };
  return resolve(dirname(manifest), packageEntry(exports) ?? main ?? 'index.js');
}

function packageEntry(exports: unknown): string | undefined {
  if (typeof exports === 'string') return exports;
  if (typeof exports !== 'object' || exports === null) return undefined;
  const record = exports as Record<string, unknown>;
  const root = '.' in record ? record['.'] : record;
  if (typeof root === 'string') return root;
  if (typeof root !== 'object' || root === null) return undefined;
  const conditions = root as Record<string, unknown>;
  for (const condition of ['import', 'node', 'default']) {
    const target = conditions[condition];
    if (typeof target === 'string') return target;
    const nested = packageEntry(target);
    if (nested !== undefined) return nested;
  }
  return undefined;
}
