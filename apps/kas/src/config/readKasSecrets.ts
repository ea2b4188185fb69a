import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';
import { KasAppError } from '../errors/KasAppError.js';
import type { KasConfig } from './kasConfigSchema.js';

const sha256 = z
  .string()
  .regex(/^[0-9a-f]{64}$/, { message: 'expected a sha256 in lower-case hex (64 characters)' });

const agentsFileSchema = z.array(z.strictObject({ id: z.string().min(1), tokenSha256: sha256 }));
const usersFileSchema = z.array(
  z.strictObject({ name: z.string().min(1), tokenSha256: sha256, agents: z.array(z.string().min(1)).min(1) }),
);

/** What kas reads from the files its config names. Secrets: never log these. */
export interface KasSecrets {
  readonly agents: z.output<typeof agentsFileSchema>;
  readonly users: z.output<typeof usersFileSchema>;
  readonly privateApiSecret: string;
  readonly redisPassword: string | undefined;
}

/** Reads the agents file, the users file, the replica shared secret and the Redis password (when set). */
export async function readKasSecrets(config: KasConfig): Promise<KasSecrets> {
  const [agents, users, privateApiSecret, redisPassword] = await Promise.all([
    readYamlFile(
      config.agentGrpc.agentsFile,
      'agentGrpc.agentsFile',
      agentsFileSchema,
      '- id: agent-1\n  tokenSha256: <sha256 of the token>',
    ),
    readYamlFile(
      config.kubeProxy.usersFile,
      'kubeProxy.usersFile',
      usersFileSchema,
      '- name: alice\n  tokenSha256: <sha256 of the secret>\n  agents: [agent-1]',
    ),
    readSecretFile(config.privateApi.sharedSecretFile, 'privateApi.sharedSecretFile'),
    config.redis?.passwordFile === undefined
      ? undefined
      : readSecretFile(config.redis.passwordFile, 'redis.passwordFile'),
  ]);
  return { agents, users, privateApiSecret, redisPassword };
}

async function readText(path: string, key: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new KasAppError(
      'KAS_CONFIG_UNREADABLE',
      `${key}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      `create the file or correct ${key}`,
      { cause: error },
    );
  }
}

async function readSecretFile(path: string, key: string): Promise<string> {
  const secret = (await readText(path, key)).trim();
  if (secret === '')
    throw new KasAppError('KAS_CONFIG_INVALID', `${key}: ${path} is empty`, 'write the secret into the file');
  return secret;
}

async function readYamlFile<S extends z.ZodType>(
  path: string,
  key: string,
  schema: S,
  example: string,
): Promise<z.output<S>> {
  let value: unknown;
  try {
    value = parse(await readText(path, key));
  } catch (error) {
    if (error instanceof KasAppError) throw error;
    throw new KasAppError(
      'KAS_CONFIG_SYNTAX',
      `${key}: ${path} is not valid YAML: ${(error as Error).message}`,
      `write a YAML list such as:\n${example}`,
    );
  }
  const result = schema.safeParse(value ?? []);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `${path}: ${issue.path.map(String).join('.') || '(top level)'}: ${issue.message}`,
  );
  throw new KasAppError(
    'KAS_CONFIG_INVALID',
    `${key}:\n  ${problems.join('\n  ')}`,
    `write a YAML list such as:\n${example}`,
  );
}
