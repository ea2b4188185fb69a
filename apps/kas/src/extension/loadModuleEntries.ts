import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { AnyModule } from '@kas/core';
import type { KasSection } from '../config/KasSection.js';
import { KasAppError } from '../errors/KasAppError.js';
import { describeModuleError } from './describeModuleError.js';
import { findModuleFile } from './findModuleFile.js';
import { notJavaScriptError } from './notJavaScriptError.js';
import { type EntryPlace, readEntryExports } from './readEntryExports.js';

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
 * Node's codes for an import that cannot be resolved: the file is there, but it, or a package it imports,
 * names something that is not installed or not exported.
 */
const UNRESOLVED_IMPORT_CODES: ReadonlySet<string> = new Set([
  'ERR_MODULE_NOT_FOUND',
  'MODULE_NOT_FOUND',
  'ERR_PACKAGE_PATH_NOT_EXPORTED',
  'ERR_PACKAGE_IMPORT_NOT_DEFINED',
  'ERR_UNSUPPORTED_DIR_IMPORT',
]);

/**
 * Imports every entry of `modules:` (package names resolved from `baseDirectory`, paths relative to it)
 * and turns each default export into what kas composes: modules as they are, or a factory's section
 * (its `configKey`, its `configSchema`, and the factory as `create`). Each failure is one clear error
 * naming the entry and where it is written (`where`: the config's place of a key path).
 */
export async function loadModuleEntries(
  entries: readonly string[],
  baseDirectory: string,
  where: (path: readonly PropertyKey[]) => string,
): Promise<LoadedModuleEntry[]> {
  const loaded: LoadedModuleEntry[] = [];
  const byFile = new Map<string, EntryPlace>();
  for (const [index, specifier] of entries.entries()) {
    const at = where(['modules', index]);
    const place: EntryPlace = { index, specifier, at, named: `${at}: modules[${index}] "${specifier}"` };
    const found = findModuleFile(specifier, baseDirectory);
    if ('missing' in found) {
      throw new KasAppError(
        'KAS_MODULE_NOT_FOUND',
        `${place.named} cannot be loaded: ${found.missing}`,
        found.fix,
      );
    }
    const file = realpathSync(found.file);
    const earlier = byFile.get(file);
    if (earlier !== undefined) throw listedTwice(earlier, place, file);
    byFile.set(file, place);
    const exports = await importEntry(file, place, baseDirectory);
    loaded.push({ specifier, at, ...readEntryExports(exports, place, where) });
  }
  return loaded;
}

/** Two entries that load one module: its name and its config key would be claimed twice. */
function listedTwice(earlier: EntryPlace, later: EntryPlace, file: string): KasAppError {
  const same =
    earlier.specifier === later.specifier
      ? ''
      : ` ("${earlier.specifier}" and "${later.specifier}" both load ${file})`;
  return new KasAppError(
    'KAS_MODULE_LISTED_TWICE',
    `${later.named} is listed twice: modules[${earlier.index}] at ${earlier.at} and modules[${later.index}] at ${later.at} load the same module${same}`,
    'remove one of the two entries: a module is loaded once, and its config section configures it',
  );
}

/**
 * Imports the entry's file. An import that cannot be resolved (the file's own imports), or a file Node
 * does not import (TypeScript source), is `KAS_MODULE_NOT_FOUND`; code of the module that ran and threw is
 * `KAS_MODULE_IMPORT_FAILED`.
 */
async function importEntry(
  file: string,
  place: EntryPlace,
  baseDirectory: string,
): Promise<Record<string, unknown>> {
  const url = pathToFileURL(file).href;
  const seeWhere = `to see where it fails: node --input-type=module -e "await import('${url}')"`;
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (error) {
    const { code } = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown };
    if (code === 'ERR_UNKNOWN_FILE_EXTENSION') {
      throw notJavaScriptError(error as Error, file, place, baseDirectory);
    }
    if (typeof code === 'string' && UNRESOLVED_IMPORT_CODES.has(code)) {
      throw new KasAppError(
        'KAS_MODULE_NOT_FOUND',
        `${place.named} cannot be loaded: importing ${file} failed: ${(error as Error).message}`,
        `install the package's dependencies where it is (npm install in its folder), or correct the import it names; ${seeWhere}`,
        { cause: error },
      );
    }
    const thrown = describeModuleError(error);
    throw new KasAppError(
      'KAS_MODULE_IMPORT_FAILED',
      `${place.named} was found (${file}) but threw while being imported: ${thrown.text}`,
      `the module's own code failed at import, before kas could use it (its top level ran and threw, e.g. a declaration the core refuses)${thrown.fix === undefined ? '' : `: ${thrown.fix.replace(/\.$/, '')}`}. Fix the module, or report this error to its author; ${seeWhere}`,
      { cause: error },
    );
  }
}
