import { readFile } from 'node:fs/promises';
import { formatKeyPath, toConfigIssues } from '@kas/config';
import { parse } from 'yaml';
import type { z } from 'zod';
import { KasAppError } from '../errors/KasAppError.js';

/** Reads the files a config names; every error names where the key is set and the key path. */
export interface KasFiles {
  /** A secret: the file's text, trimmed, checked with `schema`. Never in a message. */
  readSecret(path: string, key: readonly string[], schema?: z.ZodType<string>): Promise<string>;
  /** A YAML file checked with `schema` (`example` shows the shape in the error's fix). */
  readYaml<S extends z.ZodType>(
    path: string,
    key: readonly string[],
    schema: S,
    example: string,
  ): Promise<z.output<S>>;
}

/**
 * The files on disk. `where` says where a key was set (`kas.yaml:12:3` or the environment variable), so
 * an error reads `kas.yaml:12:3: agentGrpc.agentsFile: /etc/kas/agents.yaml: [1].tokenSha256: expected ...`.
 */
export function diskFiles(where: (path: readonly string[]) => string): KasFiles {
  const prefix = (key: readonly string[]) => `${where(key)}: ${formatKeyPath(key)}`;
  const readText = async (path: string, key: readonly string[]) => {
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      throw new KasAppError(
        'KAS_CONFIG_UNREADABLE',
        `${prefix(key)}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        `create the file or correct ${formatKeyPath(key)}`,
        { cause: error },
      );
    }
  };
  const invalid = (key: readonly string[], path: string, error: z.ZodError, schema: z.ZodType, fix: string) =>
    new KasAppError(
      'KAS_CONFIG_INVALID',
      `${prefix(key)}: ${path}: ${toConfigIssues(error, schema)
        .map((issue) =>
          issue.path.length === 0 ? issue.message : `${formatKeyPath(issue.path)}: ${issue.message}`,
        )
        .join('; ')}`,
      fix,
    );
  return {
    async readSecret(path, key, schema) {
      const secret = (await readText(path, key)).trim();
      if (secret === '') {
        throw new KasAppError(
          'KAS_CONFIG_INVALID',
          `${prefix(key)}: ${path} is empty`,
          'write the secret into the file',
        );
      }
      const result = schema?.safeParse(secret);
      if (result === undefined || result.success) return secret;
      throw invalid(key, path, result.error, schema as z.ZodType, 'write a longer secret into the file');
    },
    async readYaml(path, key, schema, example) {
      let value: unknown;
      const text = await readText(path, key);
      try {
        value = parse(text);
      } catch (error) {
        throw new KasAppError(
          'KAS_CONFIG_SYNTAX',
          `${prefix(key)}: ${path} is not valid YAML: ${(error as Error).message}`,
          `write a YAML list such as:\n${example}`,
        );
      }
      const result = schema.safeParse(value ?? []);
      if (result.success) return result.data;
      throw invalid(key, path, result.error, schema, `write a YAML list such as:\n${example}`);
    },
  };
}
