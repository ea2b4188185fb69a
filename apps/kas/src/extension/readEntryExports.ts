import { configIssuesOf } from '@kas/config';
import { type AnyModule, CoreError, checkModuleDefinition } from '@kas/core';
import type { z } from 'zod';
import type { KasSection } from '../config/KasSection.js';
import { KasAppError } from '../errors/KasAppError.js';
import { describeModuleError } from './describeModuleError.js';

/** An entry's place in the config: `modules[1] "@acme/kas-audit-sink"` written at `kas.yaml:3:5`. */
export interface EntryPlace {
  readonly index: number;
  readonly specifier: string;
  readonly at: string;
  /** `kas.yaml:3:5: modules[1] "@acme/kas-audit-sink"`, the start of every error about it. */
  readonly named: string;
}

/**
 * What an entry's exports add to kas: its default export's modules as they are, or a factory's section
 * (its `configKey`, its `configSchema`, and the factory as `create`). `where` places a config key path,
 * for the errors of a factory that throws.
 */
export function readEntryExports(
  imported: Record<string, unknown>,
  place: EntryPlace,
  where: (path: readonly PropertyKey[]) => string,
): { readonly section?: KasSection; readonly modules: readonly AnyModule[] } {
  const { named } = place;
  const exports = commonJsExports(imported) ?? imported;
  const value = exports.default;
  if (isModule(value)) return { modules: checked([value], place, 'its default export') };
  if (Array.isArray(value) && value.length > 0 && value.every(isModule)) {
    return { modules: checked(value, place, 'its default export') };
  }
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
        let made: unknown;
        try {
          made = await factory(config);
        } catch (error) {
          // A refusal of its section's values is reported under the key, at its line (createKasModules).
          if (configIssuesOf(error) !== undefined) throw error;
          throw factoryFailed(error, place, configKey, where([configKey]));
        }
        if (isModule(made)) return checked([made], place, 'its factory returned a module that');
        if (Array.isArray(made) && made.every(isModule)) {
          return checked(made, place, 'its factory returned a module that');
        }
        throw new KasAppError(
          'KAS_MODULE_EXPORT_INVALID',
          `${named}: its factory returned ${describe(made)}, not a module or a list of modules`,
          'return defineModule({...}) (or a list of them) from the default export',
        );
      },
    };
    return { section, modules: [] };
  }
  const available = listKeys(Object.keys(exports)) || 'none';
  throw new KasAppError(
    'KAS_MODULE_EXPORT_INVALID',
    `${named} has no default export that is a kas module, a list of modules or a factory (its default export is ${describe(value)}; its exports: ${available})`,
    'export default defineModule({...}) (or a list of modules, or a factory taking its config section, with configKey and configSchema)',
  );
}

/**
 * The exports of a CommonJS module that TypeScript (or Babel) compiled from `export default` and
 * `export const`: Node's `import()` gives its whole `module.exports` as the default export, with the
 * module's own default inside it, marked `__esModule`. Undefined for any other module.
 */
function commonJsExports(imported: Record<string, unknown>): Record<string, unknown> | undefined {
  const value = imported.default;
  if (typeof value !== 'object' || value === null) return undefined;
  if ((value as { __esModule?: unknown }).__esModule !== true || !('default' in value)) return undefined;
  return value as Record<string, unknown>;
}

/**
 * Checks each module as `defineModule` would have: one recognised by its shape may be a plain object, its
 * fields never checked (a name where a list belongs), and a bad one is reported at its entry, before kas
 * reads its relations. `what` says where it came from: `its default export`.
 */
function checked(modules: readonly AnyModule[], place: EntryPlace, what: string): readonly AnyModule[] {
  for (const module of modules) {
    try {
      checkModuleDefinition(module);
    } catch (error) {
      if (!(error instanceof CoreError)) throw error;
      throw new KasAppError(
        'KAS_MODULE_EXPORT_INVALID',
        `${place.named}: ${what} is not a valid module declaration: ${error.code}: ${error.message}`,
        `${error.fix.replace(/\.$/, '')}; declare modules with defineModule({...}) of @kas/core, which checks a declaration where it is written`,
        { cause: error },
      );
    }
  }
  return modules;
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
  if (typeof value === 'object') return `an object with keys ${listKeys(Object.keys(value)) || '(none)'}`;
  return `a ${typeof value}`;
}

/** At most ten keys, then how many more: a library's namespace (`zod`) has hundreds. */
function listKeys(keys: readonly string[]): string {
  const shown = keys.slice(0, 10).join(', ');
  return keys.length > 10 ? `${shown} and ${keys.length - 10} more` : shown;
}

/** A factory that threw while kas created the entry's modules from its config section. */
function factoryFailed(error: unknown, place: EntryPlace, configKey: string, configAt: string): KasAppError {
  const thrown = describeModuleError(error);
  return new KasAppError(
    'KAS_MODULE_FACTORY_FAILED',
    `${place.named}: its factory threw while creating its modules from its config section "${configKey}" (${configAt}): ${thrown.text}`,
    `the module's factory threw while being created from its config section: check "${configKey}:" against the module's documentation${thrown.fix === undefined ? '' : ` (the error's own fix: ${thrown.fix})`}; if the section is right, report the error to the module's author`,
    { cause: error },
  );
}
