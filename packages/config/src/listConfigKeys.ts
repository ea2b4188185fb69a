import type { z } from 'zod';
import { shapeOf, type UnwrappedSchema, unwrapSchema } from './unwrapSchema.js';

/** One documented key of a config schema. */
export interface ConfigKeyDoc {
  /** The key path from the schema's root: `['kubeProxy', 'tls', 'certFile']`. */
  readonly path: readonly string[];
  /** How the docs name its type: `duration`, `host:port`, `path`, `list of host:port`, `object`. */
  readonly typeLabel: string;
  /** `Required.`, `Default \`5s\`.`, `Default: none.` or what the schema says in words. */
  readonly defaultText: string;
  /** What the key is for: the schema's `.describe()` / `.meta({ description })`. */
  readonly description: string | undefined;
  /** Whether it is an object whose keys are listed after it. */
  readonly isObject: boolean;
}

type Def = {
  readonly type: string;
  readonly element?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly entries?: Record<string, string | number>;
  readonly values?: readonly unknown[];
};

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/**
 * Every key of an object schema, depth first, with its type, default and description: the data a
 * README's configuration reference is generated from. Objects come before their keys; an object with
 * no description of its own is left out (its keys are listed).
 */
export function listConfigKeys(schema: z.ZodType, path: readonly string[] = []): ConfigKeyDoc[] {
  const shape = shapeOf(schema);
  if (shape === undefined) return [];
  return Object.entries(shape).flatMap(([key, child]) => {
    const childPath = [...path, key];
    const unwrapped = unwrapSchema(child);
    // A type with a label of its own ({ pem } or { file }) is one value to the reader, not a section.
    const isObject = unwrapped.typeLabel === undefined && shapeOf(unwrapped.core) !== undefined;
    const doc: ConfigKeyDoc = {
      path: childPath,
      typeLabel: unwrapped.typeLabel ?? labelOf(unwrapped.core),
      defaultText: defaultTextOf(unwrapped, isObject),
      description: unwrapped.description,
      isObject,
    };
    if (!isObject) return [doc];
    const children = listConfigKeys(unwrapped.core, childPath);
    return doc.description === undefined ? children : [doc, ...children];
  });
}

function labelOf(schema: z.ZodType): string {
  const unwrapped = unwrapSchema(schema);
  if (unwrapped.typeLabel !== undefined) return unwrapped.typeLabel;
  const def = defOf(unwrapped.core);
  switch (def.type) {
    case 'array':
      return def.element === undefined ? 'list' : `list of ${labelOf(def.element)}`;
    case 'enum':
      return Object.values(def.entries ?? {}).join(' | ');
    case 'literal':
      return (def.values ?? []).map((value) => JSON.stringify(value)).join(' | ');
    case 'union':
      return (def.options ?? []).map(labelOf).join(' or ');
    case 'custom':
      return 'value';
    default:
      return def.type;
  }
}

function defaultTextOf(unwrapped: UnwrappedSchema, isObject: boolean): string {
  if (unwrapped.defaultText !== undefined) return `Default: ${unwrapped.defaultText}.`;
  const value = unwrapped.defaultValue?.value;
  if (unwrapped.defaultValue !== undefined && !isObject) {
    return `Default \`${typeof value === 'string' ? value : JSON.stringify(value)}\`.`;
  }
  if (unwrapped.isOptional) return isObject ? 'Optional.' : 'Default: none.';
  return 'Required.';
}
