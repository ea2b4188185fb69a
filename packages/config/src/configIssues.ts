import { ClosestNames } from '@kas/core';
import type { z } from 'zod';
import { shapeOf, unwrapSchema } from './unwrapSchema.js';

/** One problem with a config value: where (key path) and what was expected. */
export interface ConfigIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
  /**
   * True when the key itself is wrong (an unknown key), not its value: an app that knows where keys are
   * written reports it at the key's line and column.
   */
  readonly isAboutKey?: boolean;
}

/** A key path as people write it: `agents[0].tokenSha256`, `kubeProxy.tls.certFile`. */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text === '' ? '(top level)' : text;
}

type ZodIssue = z.ZodError['issues'][number];

/**
 * zod's issues as config issues: one per unknown key (naming the keys that are known there), a missing
 * key as `missing: expected ...`, a value of the wrong type in the words the other keys use (`expected
 * true or false (got "yes")`, a section by its keys), the rest with their path and message. A union that
 * failed without a message of its own (zod's "Invalid input") is reported by the branch that came
 * closest: the fewest issues, then the deepest path (`{ cluster: [] }` says the cluster needs a node, not
 * that `cluster` is unknown to the single-server branch).
 */
export function toConfigIssues(error: z.ZodError, schema?: z.ZodType): ConfigIssue[] {
  return fromZodIssues(error.issues, [], schema);
}

function fromZodIssues(
  issues: readonly ZodIssue[],
  prefix: readonly PropertyKey[],
  schema: z.ZodType | undefined,
): ConfigIssue[] {
  return issues.flatMap((issue): ConfigIssue[] => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union' && issue.message === 'Invalid input' && issue.errors.length > 0) {
      return fromZodIssues(closestBranch(issue.errors), path, schema);
    }
    if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) {
      const shape = schema === undefined ? undefined : shapeAt(schema, path);
      return [
        {
          path,
          message: `missing: expected ${shape === undefined ? describeValue(schema, path, issue.expected) : describeSection(shape)}`,
        },
      ];
    }
    if (issue.code === 'invalid_value' && issue.values.length > 1) {
      return [
        {
          path,
          message: `expected one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}${gotOf(issue)}`,
        },
      ];
    }
    // zod's own words (`Invalid input: expected boolean, received string`), not a message the schema gave
    if (issue.code === 'invalid_type' && issue.message.startsWith('Invalid input')) {
      const shape = schema === undefined ? undefined : shapeAt(schema, path);
      const expected = shape === undefined ? describeType(issue.expected) : describeSection(shape);
      return [{ path, message: `expected ${expected}${gotOf(issue)}` }];
    }
    // zod's own words for a bound (`Too small: expected number to be >0`), not a message the schema gave
    if ((issue.code === 'too_small' || issue.code === 'too_big') && /^Too (small|big)/.test(issue.message)) {
      return [{ path, message: describeBound(issue) }];
    }
    if (issue.code !== 'unrecognized_keys') return [{ path, message: issue.message }];
    const known = schema === undefined ? undefined : knownKeysAt(schema, path);
    if (known === undefined) {
      return issue.keys.map((key) => ({ path: [...path, key], message: 'unknown key', isAboutKey: true }));
    }
    const closest = new ClosestNames(known);
    return issue.keys.map((key) => ({
      path: [...path, key],
      message: `unknown key (known here: ${known.join(', ')})${didYouMean(closest.closestTo(key))}`,
      isAboutKey: true,
    }));
  });
}

/** `, did you mean "healthz"?` for the known keys closest to an unknown one; nothing without one. */
function didYouMean(suggestions: readonly string[]): string {
  if (suggestions.length === 0) return '';
  return `, did you mean ${suggestions.map((name) => `"${name}"`).join(' or ')}?`;
}

/** ` (got "yes please")`: the value given, when zod reported it (`reportInput`). */
function gotOf(issue: ZodIssue): string {
  return 'input' in issue ? ` (got ${JSON.stringify(issue.input)})` : '';
}

/** A zod type as a config's author writes it: `true or false` for `boolean`. */
const TYPE_WORDS: Readonly<Record<string, string>> = {
  boolean: 'true or false',
  number: 'a number',
  int: 'a whole number',
  string: 'a string',
  array: 'a list',
  object: 'a mapping (key: value)',
};

type BoundIssue = Extract<ZodIssue, { code: 'too_small' | 'too_big' }>;

/**
 * A bound zod checked, as the other keys word theirs: `expected more than 0 (got 0)`, `expected at most 10
 * items`, `must not be empty`. A string's value is not repeated: it may be a secret.
 */
function describeBound(issue: BoundIssue): string {
  const isMin = issue.code === 'too_small';
  const limit = Number(isMin ? issue.minimum : issue.maximum);
  const inclusive = issue.inclusive !== false;
  const relation = isMin ? (inclusive ? 'at least' : 'more than') : inclusive ? 'at most' : 'less than';
  switch (issue.origin) {
    case 'string':
      if (isMin && limit === 1 && inclusive) return 'must not be empty';
      return `expected ${relation} ${limit} character(s)`;
    case 'array':
    case 'set':
      if (isMin && limit === 1 && inclusive) return 'expected at least one item';
      return `expected ${relation} ${limit} item(s)${'input' in issue && Array.isArray(issue.input) ? ` (got ${issue.input.length})` : ''}`;
    default:
      return `expected ${relation} ${limit}${gotOf(issue)}`;
  }
}

function describeType(type: string): string {
  return TYPE_WORDS[type] ?? type;
}

function closestBranch(branches: readonly (readonly ZodIssue[])[]): readonly ZodIssue[] {
  const depth = (issues: readonly ZodIssue[]) => Math.max(...issues.map((issue) => issue.path.length));
  return [...branches].sort((a, b) => a.length - b.length || depth(b) - depth(a))[0] ?? [];
}

/** The keys of the object at `path`; none for a union (the branch that refused the key is not known). */
function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] | undefined {
  const shape = shapeAt(schema, path);
  return shape === undefined ? undefined : Object.keys(shape);
}

/**
 * The schema of the key at `path`, through nested objects and records (a map from names to entries of
 * one schema); undefined past anything else.
 */
function schemaAt(schema: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
  let current: z.ZodType | undefined = schema;
  for (const key of path) {
    if (current === undefined || typeof key !== 'string') return undefined;
    current = isPlainObject(current) ? shapeOf(current)?.[key] : recordValueOf(current);
  }
  return current;
}

/** The schema of every entry of a record, or undefined when `schema` is not one. */
function recordValueOf(schema: z.ZodType): z.ZodType | undefined {
  const { core } = unwrapSchema(schema);
  const def = (core as unknown as { _zod: { def: { type: string; valueType?: z.ZodType } } })._zod.def;
  return def.type === 'record' ? def.valueType : undefined;
}

/** The keys of the object schema at `path`, with their schemas; undefined where it is not an object. */
function shapeAt(schema: z.ZodType, path: readonly PropertyKey[]): Record<string, z.ZodType> | undefined {
  const current = schemaAt(schema, path);
  return current !== undefined && isPlainObject(current) ? (shapeOf(current) ?? {}) : undefined;
}

/** `string: A YAML list of users.`: a value's type, and the first sentence of its description if any. */
function describeValue(schema: z.ZodType | undefined, path: readonly PropertyKey[], type: string): string {
  const found = schema === undefined ? undefined : schemaAt(schema, path);
  if (found === undefined) return type;
  const { typeLabel, description } = unwrapSchema(found);
  const sentence = description?.match(/^.*?[.!?](?=\s|$)/s)?.[0] ?? description;
  return `${typeLabel ?? type}${sentence === undefined ? '' : `: ${sentence}`}`;
}

/** `a section with usersFile (optional: listen, tls)`: the keys it must have first, then the others. */
function describeSection(shape: Record<string, z.ZodType>): string {
  const required: string[] = [];
  const optional: string[] = [];
  for (const [key, value] of Object.entries(shape)) {
    (value.safeParse(undefined).success ? optional : required).push(key);
  }
  if (required.length === 0) return `a section (optional keys: ${optional.join(', ')})`;
  return `a section with ${required.join(', ')}${optional.length > 0 ? ` (optional: ${optional.join(', ')})` : ''}`;
}

function isPlainObject(schema: z.ZodType): boolean {
  const { core } = unwrapSchema(schema);
  return (core as unknown as { _zod: { def: { type: string } } })._zod.def.type === 'object';
}

/** Issues as one line: `listen: expected host:port ...; drainBudget: expected a duration ...`. */
export function describeIssues(issues: readonly ConfigIssue[]): string {
  return issues.map((issue) => `${formatKeyPath(issue.path)}: ${issue.message}`).join('; ');
}

/**
 * The config issues an error carries, when it (or its cause) is a validation failure: a zod error, or a
 * package's config error made by `parseConfig`. Lets an app say where in its file the bad key is.
 */
export function configIssuesOf(error: unknown): readonly ConfigIssue[] | undefined {
  for (let current = error; typeof current === 'object' && current !== null; ) {
    const { issues } = current as { issues?: unknown };
    if (Array.isArray(issues) && issues.every(isConfigIssue)) return issues;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function isConfigIssue(value: unknown): value is ConfigIssue {
  const issue = value as Partial<ConfigIssue> | null;
  return typeof issue?.message === 'string' && Array.isArray(issue.path);
}
