import type { z } from 'zod';

/** What a schema's wrappers (optional, default, pipe, ...) say about it, outermost first. */
export interface UnwrappedSchema {
  /** The innermost schema: an object, a string, an array, ... */
  readonly core: z.ZodType;
  /** The first description found, outermost first. */
  readonly description: string | undefined;
  /** How the docs name its type (`duration`, `host:port`), when a layer says. */
  readonly typeLabel: string | undefined;
  /** The default as text for the docs, when a layer says so in words (`the hostname`). */
  readonly defaultText: string | undefined;
  /** The default value (as written: `'5s'`, not 5000), when a layer has one. */
  readonly defaultValue: { readonly value: unknown } | undefined;
  /** Whether the key may be left out (optional, or has a default). */
  readonly isOptional: boolean;
}

type Def = {
  readonly type: string;
  readonly innerType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly out?: z.ZodType;
  readonly defaultValue?: unknown;
};

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The metadata a schema carries in zod's global registry (`.describe()`, `.meta()`). */
export function metaOf(schema: z.ZodType): Readonly<Record<string, unknown>> | undefined {
  return (schema as unknown as { meta(): Record<string, unknown> | undefined }).meta();
}

/**
 * Looks through a schema's wrappers (optional, nullable, default, prefault, readonly, pipes) to what it
 * validates, collecting the docs each layer carries. Reads zod's `_zod.def`, which stays the same across
 * zod copies (a third-party module may bring its own).
 */
export function unwrapSchema(schema: z.ZodType): UnwrappedSchema {
  let current = schema;
  let description: string | undefined;
  let typeLabel: string | undefined;
  let defaultText: string | undefined;
  let defaultValue: { readonly value: unknown } | undefined;
  let isOptional = false;
  for (;;) {
    const meta = metaOf(current);
    description ??= typeof meta?.description === 'string' ? meta.description : undefined;
    typeLabel ??= typeof meta?.typeLabel === 'string' ? meta.typeLabel : undefined;
    defaultText ??= typeof meta?.defaultText === 'string' ? meta.defaultText : undefined;
    const def = defOf(current);
    if (def.type === 'optional' || def.type === 'nullable') isOptional = true;
    if (def.type === 'default' || def.type === 'prefault') {
      isOptional = true;
      defaultValue ??= { value: def.defaultValue };
    }
    // A pipe is described by its input, unless that is a preprocessing transform (then by its output).
    const pipeIn = def.in === undefined ? undefined : defOf(def.in).type === 'transform' ? def.out : def.in;
    const next = def.type === 'pipe' ? pipeIn : def.innerType;
    if (
      next === undefined ||
      !['optional', 'nullable', 'default', 'prefault', 'readonly', 'pipe', 'catch'].includes(def.type)
    ) {
      return { core: current, description, typeLabel, defaultText, defaultValue, isOptional };
    }
    current = next;
  }
}

/**
 * The keys of an object schema (through its wrappers), or `undefined` when it is not an object. A union
 * of objects (a discriminated union) has the keys of all its branches, the first branch's schema for a
 * key that several have.
 */
export function shapeOf(schema: z.ZodType): Readonly<Record<string, z.ZodType>> | undefined {
  const { core } = unwrapSchema(schema);
  const def = defOf(core) as Def & {
    readonly shape?: Record<string, z.ZodType>;
    readonly options?: readonly z.ZodType[];
  };
  if (def.type === 'object') return def.shape;
  if (def.type !== 'union' || def.options === undefined) return undefined;
  const merged: Record<string, z.ZodType> = {};
  for (const option of def.options) {
    const shape = shapeOf(option);
    if (shape === undefined) return undefined;
    for (const [key, value] of Object.entries(shape)) merged[key] ??= value;
  }
  return merged;
}
