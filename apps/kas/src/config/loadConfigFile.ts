import { readFile, stat } from 'node:fs/promises';
import {
  type ConfigIssue,
  ConfigTooLargeError,
  formatKeyPath,
  MAX_CONFIG_FILE_BYTES,
  parseConfigYaml,
  toConfigIssues,
} from '@kas/config';
import { type Document, isMap, isScalar, LineCounter, visit } from 'yaml';
import type { z } from 'zod';
import { KasAppError } from '../errors/KasAppError.js';
import { type EnvOverride, readEnvOverrides, setPath } from './envOverrides.js';

/** Where the config comes from. */
export interface ConfigSource {
  /** A YAML file; absent means defaults plus environment only. */
  readonly file?: string;
  /**
   * The file's text when it was read elsewhere (e.g. from a Kubernetes ConfigMap); `file` then only names
   * it in errors (`kas.yaml of ConfigMap kas:12:3`).
   */
  readonly text?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Environment variables that start with `KAS_` but are not config (e.g. `KAS_CONFIG`). */
  readonly ignoredEnv?: readonly string[];
}

/**
 * `kas.yaml:12:3`, `environment KAS_KUBE_PROXY__LISTEN` or `defaults`: where a key path was set. In the
 * file, at its value by default, or at the key itself with `at: 'key'` (an unknown key, a misspelt name).
 */
export type WhereSet = (path: readonly PropertyKey[], at?: 'key' | 'value') => string;

/** A validated config, and where each of its keys was set. */
export interface LoadedConfig<T> {
  readonly config: T;
  readonly where: WhereSet;
}

/** The fix of every `KAS_CONFIG_INVALID` about kas.yaml. */
export const CONFIG_FIX =
  "correct each value listed (kas's own keys and their types: the commented example kas.example.yaml; a section of a module loaded by `modules:`: that module's documentation)";

/**
 * Reads a YAML config file, applies `KAS_*` environment overrides and validates the result against
 * `schema` before anything starts. Every problem names where the bad value came from (`kas.yaml:12:3`
 * or the environment variable), its key path, and what is expected.
 */
export async function loadConfigFile<S extends z.ZodType>(
  schema: S,
  source: ConfigSource,
): Promise<LoadedConfig<z.output<S>>> {
  return validateConfig(schema, await readConfigSource(source));
}

/** A config file read and merged with its `KAS_*` environment overrides, not yet validated. */
export interface ConfigDocument {
  /** The merged values (an empty key's value undefined). */
  readonly raw: Readonly<Record<string, unknown>>;
  readonly where: WhereSet;
  /** The file, when there is one (its directory is where `modules:` paths are resolved from). */
  readonly file?: string;
}

/** Validates a read config against `schema`; every problem in one `KAS_CONFIG_INVALID`. */
export function validateConfig<S extends z.ZodType>(
  schema: S,
  { raw, where }: ConfigDocument,
): LoadedConfig<z.output<S>> {
  const result = schema.safeParse(raw, { reportInput: true }); // `(got ...)` in messages
  if (!result.success) throw invalidConfig(toConfigIssues(result.error, schema), where);
  return { config: result.data, where };
}

/**
 * Reads a config source (YAML syntax and top-level shape checked) and applies the `KAS_*` environment
 * overrides, without validating: the schema may depend on what the file says (its `modules:`).
 */
export async function readConfigSource(source: ConfigSource): Promise<ConfigDocument> {
  const lines = new LineCounter();
  let raw: Record<string, unknown> = {};
  let document: Document.Parsed | undefined;
  if (source.file !== undefined) {
    let text: string;
    try {
      text = source.text ?? (await readConfigText(source.file));
    } catch (error) {
      if (error instanceof ConfigTooLargeError) throw error;
      throw new KasAppError(
        'KAS_CONFIG_UNREADABLE',
        `cannot read config file ${source.file}: ${(error as Error).message}`,
        'check the path given to --config and its permissions',
        { cause: error },
      );
    }
    document = parseConfigYaml(text, { lineCounter: lines, file: source.file });
    const [syntax] = document.errors;
    if (syntax !== undefined) {
      const at = lines.linePos(syntax.pos[0]);
      const repeated = syntax.code === 'DUPLICATE_KEY' ? repeatedKey(document, syntax.pos[0]) : undefined;
      throw new KasAppError(
        'KAS_CONFIG_SYNTAX',
        `${source.file}:${at.line}:${at.col}: ${syntax.message}${repeated === undefined ? '' : `: "${repeated.key}" is set twice in one mapping (first at line ${lines.linePos(repeated.firstAt).line})`}`,
        repeated === undefined
          ? 'fix the YAML at that line (indentation, quotes, a missing colon)'
          : `merge the two "${repeated.key}:" entries into one: YAML keeps no repeated key`,
      );
    }
    if (document.contents !== null && !isMap(document.contents)) {
      throw new KasAppError(
        'KAS_CONFIG_INVALID',
        `${source.file}: the top level must be a mapping of sections (agentGrpc:, kubeProxy:, ...)`,
        'start from the commented example kas.example.yaml',
      );
    }
    raw = emptyKeysUndefined(document.toJS()) ?? {};
  }
  const overrides = readEnvOverrides(source.env, source.ignoredEnv ?? []);
  for (const override of overrides) setPath(raw, override.path, override.value);

  const where: WhereSet = (path, at = 'value') =>
    describeSource(path, at, overrides, source.file, document, lines);
  return { raw, where, ...(source.file === undefined ? {} : { file: source.file }) };
}

/** The file's text; one larger than a config can be is refused before it is read. */
async function readConfigText(file: string): Promise<string> {
  const { size } = await stat(file);
  if (size > MAX_CONFIG_FILE_BYTES) throw new ConfigTooLargeError(file, size);
  return readFile(file, 'utf8');
}

/** After an unknown top-level key unlike any known one: it may be the section of a module not loaded. */
const MODULE_SECTION_HINT =
  "; a module's section is known only when the module's package is listed under modules:";

/** One `KAS_CONFIG_INVALID` listing every issue, each with where it was set and its key path. */
export function invalidConfig(issues: readonly ConfigIssue[], where: WhereSet): KasAppError {
  const problems = issues.map(
    (issue) =>
      `${where(issue.path, issue.isAboutKey === true ? 'key' : 'value')}: ${formatKeyPath(issue.path)}: ${issue.message}${isUnlikeKnownTopLevelKey(issue) ? MODULE_SECTION_HINT : ''}`,
  );
  return new KasAppError('KAS_CONFIG_INVALID', `invalid config:\n  ${problems.join('\n  ')}`, CONFIG_FIX);
}

function isUnlikeKnownTopLevelKey(issue: ConfigIssue): boolean {
  return issue.isAboutKey === true && issue.path.length === 1 && !issue.message.includes('did you mean');
}

function describeSource(
  path: readonly PropertyKey[],
  at: 'key' | 'value',
  overrides: readonly EnvOverride[],
  file: string | undefined,
  document: Document.Parsed | undefined,
  lines: LineCounter,
): string {
  const fromEnv = overrides.findLast(
    (override) =>
      path.length >= override.path.length && override.path.every((key, index) => String(path[index]) === key),
  );
  if (fromEnv !== undefined) return `environment ${fromEnv.variable}`;
  // An issue about a key the file does not have, which only a variable sets below it: an unknown key
  // (`KAS_KUBEPROXY__LISTEN` gives `kubeproxy`) is reported at the key itself, above the variable's path.
  const belowFromEnv = overrides.findLast(
    (override) =>
      path.length > 0 &&
      override.path.length > path.length &&
      path.every((key, index) => String(key) === override.path[index]),
  );
  if (belowFromEnv !== undefined && document?.getIn(path, true) === undefined) {
    return `environment ${belowFromEnv.variable}`;
  }
  if (file === undefined || document === undefined) return 'defaults';
  const keyRange = at === 'key' ? keyNode(document, path)?.range : undefined;
  if (keyRange) {
    const { line, col } = lines.linePos(keyRange[0]);
    return `${file}:${line}:${col}`;
  }
  for (let length = path.length; length > 0; length--) {
    const node = document.getIn(path.slice(0, length), true) as
      | { range?: [number, number, number] }
      | undefined;
    if (node?.range !== undefined) {
      const at = lines.linePos(node.range[0]);
      return `${file}:${at.line}:${at.col}`;
    }
  }
  return file;
}

/** The node of the last key of `path` as written in the file (`healthZ:`), if the file has it. */
function keyNode(document: Document.Parsed, path: readonly PropertyKey[]) {
  if (path.length === 0) return undefined;
  const parent = path.length === 1 ? document.contents : document.getIn(path.slice(0, -1), true);
  if (!isMap(parent)) return undefined;
  const name = String(path.at(-1));
  const pair = parent.items.find((item) => isScalar(item.key) && String(item.key.value) === name);
  return isScalar(pair?.key) ? pair.key : undefined;
}

/**
 * An empty YAML key (`tunnelTracker:` with everything below commented out) means "the default": its value
 * becomes undefined. The key stays, so one the schema does not know (`agentStatsu:`, or the section of a
 * module no longer listed) is still reported as unknown.
 */
function emptyKeysUndefined(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const entries = Object.entries(value).map(([key, child]): [string, unknown] => {
    if (child === null) return [key, undefined];
    const isMapping = typeof child === 'object' && !Array.isArray(child);
    return [key, isMapping ? emptyKeysUndefined(child) : child];
  });
  return Object.fromEntries(entries);
}

/** The key repeated at offset `at` of the document, and the offset of its first occurrence in that mapping. */
function repeatedKey(document: Document.Parsed, at: number): { key: string; firstAt: number } | undefined {
  let found: { key: string; firstAt: number } | undefined;
  visit(document, {
    Map(_, map) {
      const repeated = map.items.find((item) => isScalar(item.key) && item.key.range?.[0] === at)?.key;
      if (!isScalar(repeated)) return undefined;
      const first = map.items.find((item) => isScalar(item.key) && item.key.value === repeated.value)?.key;
      if (isScalar(first)) found = { key: String(repeated.value), firstAt: first.range?.[0] ?? at };
      return visit.BREAK;
    },
  });
  return found;
}
