import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AnyModule } from '@kas/core';
import type { z } from 'zod';
import type { KasSection } from '../config/KasSection.js';
import { KasAppError } from '../errors/KasAppError.js';

/** A `modules:` entry after loading: where it is in the config, and what it adds to kas. */
export interface LoadedModuleEntry {
  /** The entry as written (`@acme/kas-audit-sink`, `./audit-sink`). */
  readonly specifier: string;
  /** Where the entry is written: `kas.yaml:4:5`. */
  readonly at: string;
  /** Its config section, for a factory; the modules of a plain export are in `modules`. */
  readonly section?: KasSection;
  readonly modules: readonly AnyModule[];
}

/**
 * Imports every entry of `modules:` (package names resolved from `baseDirectory`, paths relative to it)
 * and turns each default export into what kas composes: modules as they are, or a factory's section
 * (its `configKey`, its `configSchema`, and the factory as `create`). Each failure is one clear error
 * naming the entry and where it is written.
 */
export async function loadModuleEntries(
  entries: readonly string[],
  baseDirectory: string,
  where: (index: number) => string,
): Promise<LoadedModuleEntry[]> {
  const loaded: LoadedModuleEntry[] = [];
  for (const [index, specifier] of entries.entries()) {
    const at = where(index);
    const named = `${at}: modules[${index}] "${specifier}"`;
    const found = findEntry(specifier, baseDirectory);
    if ('missing' in found) {
      throw new KasAppError('KAS_MODULE_NOT_FOUND', `${named} cannot be loaded: ${found.missing}`, found.fix);
    }
    const url = pathToFileURL(found.file).href;
    let exports: Record<string, unknown>;
    try {
      exports = (await import(url)) as Record<string, unknown>;
    } catch (error) {
      // The file is there: its own code, or one of its imports, failed while loading.
      throw new KasAppError(
        'KAS_MODULE_NOT_FOUND',
        `${named} cannot be loaded: importing ${found.file} failed: ${(error as Error).message}`,
        `install the package's dependencies where it is, or fix its code; to see where it fails: node --input-type=module -e "await import('${url}')"`,
      );
    }
    loaded.push({ specifier, at, ...fromExports(exports, named) });
  }
  return loaded;
}

function fromExports(
  exports: Record<string, unknown>,
  named: string,
): { readonly section?: KasSection; readonly modules: readonly AnyModule[] } {
  const value = exports.default;
  if (isModule(value)) return { modules: [value] };
  if (Array.isArray(value) && value.length > 0 && value.every(isModule)) return { modules: value };
  if (typeof value === 'function') {
    const { configKey, configSchema } = exports;
    const keyIsValid = typeof configKey === 'string' && /^[a-z][A-Za-z0-9]*$/.test(configKey);
    const wrong = [
      ...(keyIsValid
        ? []
        : [
            `configKey (a camelCase key of kas.yaml; got ${configKey === undefined ? 'none' : JSON.stringify(configKey)})`,
          ]),
      ...(isSchema(configSchema) ? [] : [`configSchema (a zod schema; got ${describe(configSchema)})`]),
    ];
    if (wrong.length > 0 || typeof configKey !== 'string' || !isSchema(configSchema)) {
      const fixes = [
        ...(keyIsValid ? [] : ["export const configKey = '<yourSection>';"]),
        ...(isSchema(configSchema) ? [] : ['export const configSchema = z.strictObject({...});']),
      ];
      throw new KasAppError(
        'KAS_MODULE_EXPORT_INVALID',
        `${named} exports a factory, but not a valid ${wrong.join(' and ')}`,
        `${fixes.join(' ')} next to the default export`,
      );
    }
    const factory = value as (section: unknown) => unknown;
    const section: KasSection = {
      key: configKey,
      schema: configSchema,
      async create(config) {
        const made = await factory(config);
        if (isModule(made)) return [made];
        if (Array.isArray(made) && made.every(isModule)) return made;
        throw new KasAppError(
          'KAS_MODULE_EXPORT_INVALID',
          `${named}: its factory returned ${describe(made)}, not a module or a list of modules`,
          'return defineModule({...}) (or a list of them) from the default export',
        );
      },
    };
    return { section, modules: [] };
  }
  const available = Object.keys(exports).join(', ') || 'none';
  throw new KasAppError(
    'KAS_MODULE_EXPORT_INVALID',
    `${named} has no default export that is a kas module, a list of modules or a factory (its default export is ${describe(value)}; its exports: ${available})`,
    'export default defineModule({...}) (or a list of modules, or a factory taking its config section, with configKey and configSchema)',
  );
}

/** The file to import for an entry, or why there is none and what to do. */
type FoundEntry = { readonly file: string } | { readonly missing: string; readonly fix: string };

/** The file to import for an entry: a package name from `base`, or a path (file or package directory). */
function findEntry(specifier: string, base: string): FoundEntry {
  const isPath = specifier.startsWith('.') || isAbsolute(specifier);
  if (!isPath) {
    try {
      return { file: createRequire(join(base, 'kas.yaml')).resolve(specifier) };
    } catch (error) {
      return {
        missing: (error as Error).message.split('\n')[0] as string,
        fix: `install the package where the config can find it (npm install ${specifier} in ${base}; a package of your own: build it first), or give a path that starts with ./ (relative to the config file) to a built package or file`,
      };
    }
  }
  const path = resolve(base, specifier);
  if (!existsSync(path)) {
    return {
      missing: `${path} does not exist`,
      fix: `correct the path: one that starts with ./ is relative to the config file's directory (${base})`,
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

/** Recognises modules by shape, so a module made by another copy of `@kas/core` works too. */
function isModule(value: unknown): value is AnyModule {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { name?: unknown }).name === 'string' &&
    typeof (value as { create?: unknown }).create === 'function'
  );
}

function isSchema(value: unknown): value is z.ZodType {
  return typeof value === 'object' && value !== null && typeof (value as z.ZodType).safeParse === 'function';
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') return `an object with keys ${Object.keys(value).join(', ') || '(none)'}`;
  return `a ${typeof value}`;
}
