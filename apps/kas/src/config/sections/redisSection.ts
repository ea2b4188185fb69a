import { filePath, hostPort, splitHostPort } from '@kas/config';
import {
  type RedisConnectionConfig,
  redisConnectionModule,
  redisUrlSchema,
} from '@kas/module-tunnel-tracker';
import { z } from 'zod';
import type { KasSection, KasSectionContext } from '../KasSection.js';
import { yamlText } from '../yamlText.js';

/** `redis:` in kas.yaml: where the shared tunnel directory is; absent for a single replica. */
export const redisSectionSchema = z
  .strictObject({
    url: redisUrlSchema
      .optional()
      .meta({ defaultText: 'none' })
      .describe('A single server: `redis://host:6379`, or `rediss://` for TLS.'),
    sentinel: z
      .strictObject({
        name: yamlText().describe('The master group name the sentinels watch.'),
        nodes: z.array(hostPort()).min(1).describe('The sentinels, `host:port` each.'),
        passwordFile: filePath()
          .optional()
          .describe(
            "A file holding the sentinels' own password (their `requirepass`), when they ask for one; `redis.passwordFile` is the servers'. A Helm chart with `auth.sentinel` (Bitnami's default) gives the sentinels the Redis password: name the same file. A sentinel without a password accepts the connection all the same.",
          ),
      })
      .optional()
      .describe('Sentinel: the master group and its sentinels.'),
    cluster: z
      .array(hostPort())
      .min(1)
      .optional()
      .describe('Redis Cluster: startup nodes, `host:port` each; the client discovers the rest.'),
    passwordFile: filePath()
      .optional()
      .describe(
        "A file holding the Redis servers' password; the sentinels' is `redis.sentinel.passwordFile`.",
      ),
  })
  .superRefine((redis, context) => {
    const given = [redis.url, redis.sentinel, redis.cluster].filter((value) => value !== undefined).length;
    if (given !== 1) {
      context.addIssue({
        code: 'custom',
        message: `expected exactly one of url, sentinel or cluster (${given} given)`,
      });
    }
  })
  .optional()
  .meta({ defaultText: 'none (a single replica with an in-memory directory)' })
  .describe(
    'The shared tunnel directory, for several replicas: the `redis-connection` module. Exactly one of `url`, `sentinel` or `cluster`.',
  );

/**
 * The `redis-connection` module's config (ioredis's own shape), with the passwords read from their files:
 * the servers' (`password`) and the sentinels' (`sentinelPassword`).
 */
export async function toRedisConnectionConfig(
  redis: NonNullable<z.output<typeof redisSectionSchema>>,
  { files }: Pick<KasSectionContext, 'files'>,
): Promise<RedisConnectionConfig> {
  const password =
    redis.passwordFile === undefined
      ? undefined
      : await files.readSecret(redis.passwordFile, ['redis', 'passwordFile']);
  if (redis.cluster !== undefined) {
    return { cluster: redis.cluster.map(splitHostPort), options: { redisOptions: { password } } };
  }
  if (redis.sentinel !== undefined) {
    const { nodes, name, passwordFile: sentinelPasswordFile } = redis.sentinel;
    const sentinelPassword =
      sentinelPasswordFile === undefined
        ? undefined
        : await files.readSecret(sentinelPasswordFile, ['redis', 'sentinel', 'passwordFile']);
    return {
      options: {
        sentinels: nodes.map(splitHostPort),
        name,
        password,
        ...(sentinelPassword === undefined ? {} : { sentinelPassword }),
      },
    };
  }
  return { url: redis.url, options: { password } };
}

/** `redis:`: the Redis connection the tracker shares the directory through. */
export const redisSection: KasSection<'redis', typeof redisSectionSchema> = {
  key: 'redis',
  schema: redisSectionSchema,
  create: async (redis, kas) =>
    redis === undefined ? [] : [redisConnectionModule(await toRedisConnectionConfig(redis, kas))],
};
