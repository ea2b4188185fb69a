import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { listConfigKeys, replaceConfigReference, shapeOf } from '@kas/config';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { z } from 'zod';
import { environmentVariableOf, readEnvOverrides } from '../src/config/envOverrides.js';
import { kasConfigSchema } from '../src/config/kasConfigSchema.js';
import { loadConfigFile } from '../src/config/loadConfigFile.js';

const readmeUrl = new URL('../README.md', import.meta.url);
const examplePath = fileURLToPath(new URL('../kas.example.yaml', import.meta.url));

/** kas.example.yaml with its commented-out keys (`# key: value`, `#   nested: value`) written out. */
function exampleWithCommentedKeys(): unknown {
  const text = readFileSync(examplePath, 'utf8')
    .split('\n')
    .map((line) => line.replace(/^(\s*)# (\s*)([a-z][A-Za-z0-9]*:(?: .*)?)$/, '$1$2$3'))
    .join('\n');
  return parse(text);
}

/**
 * The key paths of a parsed YAML value, down to its scalars and lists, with their values; a key whose
 * schema is not a section (`overrides:`, a map from module names to entries) is one value.
 */
function leavesOf(value: unknown, path: readonly string[] = []): [string[], unknown][] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [[[...path], value]];
  const schema = path.length === 0 ? kasConfigSchema : schemaAt(path);
  if (schema !== undefined && shapeOf(schema) === undefined) return [[[...path], value]];
  return Object.entries(value).flatMap(([key, child]) => leavesOf(child, [...path, key]));
}

function schemaAt(path: readonly string[]): z.ZodType | undefined {
  let schema: z.ZodType | undefined = kasConfigSchema;
  for (const key of path) schema = schema === undefined ? undefined : shapeOf(schema)?.[key];
  return schema;
}

describe('the README configuration reference', () => {
  it('is generated from the kas schema (UPDATE_DOCS=1 npx vitest run test/configDocs.test.ts rewrites it)', () => {
    const readme = readFileSync(readmeUrl, 'utf8');
    const expected = replaceConfigReference(readme, kasConfigSchema, {
      environmentVariable: environmentVariableOf,
    });
    expect(expected, 'the README has the config-reference markers').toBeDefined();
    if (process.env.UPDATE_DOCS === '1') {
      writeFileSync(readmeUrl, expected as string);
      return;
    }
    expect(readme, 'run UPDATE_DOCS=1 npx vitest run test/configDocs.test.ts in apps/kas').toBe(expected);
  });

  it('names the variables that really override each key', () => {
    for (const key of listConfigKeys(kasConfigSchema).filter((entry) => !entry.isObject)) {
      const [override] = readEnvOverrides({ [environmentVariableOf(key.path)]: 'x' }, []);
      expect(override?.path).toEqual(key.path);
    }
  });
});

describe('kas.example.yaml', () => {
  it('is a valid config as it stands', async () => {
    await expect(loadConfigFile(kasConfigSchema, { file: examplePath, env: {} })).resolves.toBeDefined();
  });

  it('shows every key of the schema, set or commented out, and no key the schema does not have', () => {
    const shown = leavesOf(exampleWithCommentedKeys()).map(([path]) => path.join('.'));
    const keys = listConfigKeys(kasConfigSchema)
      .filter((key) => !key.isObject)
      .map((key) => key.path.join('.'));
    expect(
      shown.filter((key) => !keys.includes(key)),
      'keys in the example that the schema lacks',
    ).toEqual([]);
    expect(
      keys.filter((key) => !shown.includes(key)),
      'keys of the schema the example does not show',
    ).toEqual([]);
  });

  it('gives each commented-out key a value its schema accepts', () => {
    const refused = leavesOf(exampleWithCommentedKeys()).flatMap(([path, value]) => {
      const result = schemaAt(path)?.safeParse(value);
      return result === undefined || result.success
        ? []
        : [`${path.join('.')}: ${result.error.issues[0]?.message}`];
    });
    expect(refused).toEqual([]);
  });
});
