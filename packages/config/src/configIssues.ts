import type { z } from 'zod';
import { shapeOf } from './unwrapSchema.js';

/** One problem with a config value: where (key path) and what was expected. */
export interface ConfigIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
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

/**
 * zod's issues as config issues: one per unknown key (naming the keys that are known there), the rest
 * with their path and message.
 */
export function toConfigIssues(error: z.ZodError, schema?: z.ZodType): ConfigIssue[] {
  return error.issues.flatMap((issue): ConfigIssue[] => {
    if (issue.code !== 'unrecognized_keys') return [{ path: issue.path, message: issue.message }];
    const known = schema === undefined ? undefined : knownKeysAt(schema, issue.path);
    const message = known === undefined ? 'unknown key' : `unknown key (known here: ${known.join(', ')})`;
    return issue.keys.map((key) => ({ path: [...issue.path, key], message }));
  });
}

function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] | undefined {
  let shape = shapeOf(schema);
  for (const key of path) {
    const child = shape?.[String(key)];
    if (child === undefined) return undefined;
    shape = shapeOf(child);
  }
  return shape === undefined ? undefined : Object.keys(shape);
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
