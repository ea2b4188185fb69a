import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, parse, resolve } from 'node:path';
import { toMilliseconds } from '@kas/core';
import type { LintSetting } from '../../lint/LintRule.js';
import { CliError } from '../CliError.js';

/** The name of the config file `kas-graph` looks for. */
export const CONFIG_FILE_NAME = 'kas-graph.config.json';

/** The config file's content, checked. */
export interface KasGraphConfig {
  /** Absolute path of the file, when one was found. */
  readonly path?: string;
  /** Package names or paths (relative to the config file) of packages exporting `kasGraphRules`. */
  readonly plugins: readonly string[];
  readonly rules: Readonly<Record<string, LintSetting>>;
  readonly terminationGraceMs?: number;
  readonly acceptDelayLimitMs?: number;
  readonly maxWarnings?: number;
}

const KEYS = ['$schema', 'plugins', 'rules', 'terminationGrace', 'acceptDelayLimit', 'maxWarnings'];
const SETTINGS: readonly string[] = ['off', 'warn', 'error'];

/** The nearest `kas-graph.config.json` in `directory` or above it, or undefined. */
export function findConfig(directory: string): string | undefined {
  const { root } = parse(directory);
  for (let current = resolve(directory); ; current = dirname(current)) {
    const candidate = join(current, CONFIG_FILE_NAME);
    if (existsSync(candidate)) return candidate;
    if (current === root) return undefined;
  }
}

/** Reads and checks a config file; no path gives the empty config. */
export function loadConfig(path: string | undefined): KasGraphConfig {
  if (path === undefined) return { plugins: [], rules: {} };
  const fail = (problem: string, fix: string, cause?: unknown): never => {
    throw new CliError('KAS_GRAPH_CONFIG_INVALID', `${path}: ${problem}`, fix, { cause });
  };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    return fail(
      `cannot be read as JSON: ${(error as Error).message}`,
      'write the config as a JSON object',
      error,
    );
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return fail('is not a JSON object', 'write { "plugins": [], "rules": {} }');
  }
  const config = raw as Record<string, unknown>;
  for (const key of Object.keys(config)) {
    if (!KEYS.includes(key)) fail(`unknown key "${key}"`, `use only ${KEYS.slice(1).join(', ')}`);
  }
  const plugins = config.plugins ?? [];
  if (!Array.isArray(plugins) || plugins.some((plugin) => typeof plugin !== 'string' || plugin === '')) {
    fail(
      '"plugins" must be an array of package names or paths',
      'write "plugins": ["@acme/kas-module-audit-log"]',
    );
  }
  const rules = config.rules ?? {};
  if (typeof rules !== 'object' || rules === null || Array.isArray(rules)) {
    fail('"rules" must be an object of rule codes', 'write "rules": { "KAS_ORPHAN_TAG": "error" }');
  }
  for (const [code, setting] of Object.entries(rules as Record<string, unknown>)) {
    if (typeof setting !== 'string' || !SETTINGS.includes(setting)) {
      fail(`rules.${code} is ${JSON.stringify(setting)}`, 'set a rule to "off", "warn" or "error"');
    }
  }
  const duration = (key: string): number | undefined => {
    const value = config[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' && typeof value !== 'number')
      fail(`"${key}" must be a duration`, 'write e.g. "3600s"');
    try {
      return toMilliseconds(value as number, key);
    } catch (error) {
      return fail(
        `"${key}" is ${JSON.stringify(value)}, not a duration`,
        'write e.g. "3600s", "75m" or "1h"',
        error,
      );
    }
  };
  const maxWarnings = config.maxWarnings;
  if (
    maxWarnings !== undefined &&
    (typeof maxWarnings !== 'number' || !Number.isInteger(maxWarnings) || maxWarnings < 0)
  ) {
    fail('"maxWarnings" must be a whole number of 0 or more', 'write e.g. "maxWarnings": 0');
  }
  const terminationGraceMs = duration('terminationGrace');
  const acceptDelayLimitMs = duration('acceptDelayLimit');
  return {
    path,
    plugins: plugins as string[],
    rules: rules as Record<string, LintSetting>,
    ...(terminationGraceMs === undefined ? {} : { terminationGraceMs }),
    ...(acceptDelayLimitMs === undefined ? {} : { acceptDelayLimitMs }),
    ...(maxWarnings === undefined ? {} : { maxWarnings: maxWarnings as number }),
  };
}
