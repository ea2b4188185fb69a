import type { ClusterNode, ClusterOptions, RedisOptions } from 'ioredis';
import { z } from 'zod';

const isObject = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value);

const isRedisUrl = (value: string) => {
  try {
    const { protocol } = new URL(value);
    return protocol === 'redis:' || protocol === 'rediss:';
  } catch {
    return false;
  }
};

/**
 * A Redis URL; never echoed in a message (it may hold a password). Exported for apps whose config names
 * the URL on its own (kas's `redis.url`).
 */
export const redisUrlSchema = z
  .string({ error: "expected a URL such as 'redis://127.0.0.1:6379'" })
  .refine(isRedisUrl, {
    error:
      "expected a URL such as 'redis://127.0.0.1:6379' or 'rediss://host:6380' for TLS (redis: or rediss:, with a host)",
  })
  .describe(
    '`redis://[user:password@]host:port[/db]` or `rediss://...`; passed to `new Redis(url, options)`. Credentials never appear in logs or errors.',
  );

/** A single server or Sentinel: ioredis's `new Redis(url, options)`. */
const redisServerSchema = z.strictObject({
  url: redisUrlSchema.optional().meta({ defaultText: 'none (then `options`, or `localhost:6379`)' }),
  options: z
    .custom<RedisOptions>(isObject, { error: 'expected ioredis options (an object)' })
    .optional()
    .meta({ typeLabel: 'RedisOptions', defaultText: '`{}`' })
    .describe(
      "ioredis's own options, unchanged: Sentinel is `{ sentinels: [{ host, port }], name }`, with `sentinelPassword` when the sentinels ask for a password of their own (`password` is the servers'); with `cluster`, a `ClusterOptions`. The module sets `lazyConnect: true` (it connects in start) and defaults `commandTimeout` to `2000` ms (for a Cluster in `redisOptions`) so a look-up on a stalled Redis fails instead of hanging the request that asked.",
    ),
});

/** Redis Cluster: ioredis's `new Cluster(nodes, options)`. */
const redisClusterSchema = z.strictObject({
  cluster: z
    .array(
      z.custom<ClusterNode>(
        (node) => typeof node === 'string' || typeof node === 'number' || isObject(node),
        { error: "expected a startup node: 'host:port', a port, or { host, port }" },
      ),
    )
    .min(1, { error: "expected at least one startup node, e.g. cluster: [{ host: 'redis-0', port: 6379 }]" })
    .readonly()
    .meta({ typeLabel: 'ClusterNode[]', defaultText: 'none (a single server or Sentinel)' })
    .describe(
      'Startup nodes of a Redis Cluster (ioredis discovers the rest): the module creates `new Cluster(cluster, options)`.',
    ),
  options: z
    .custom<ClusterOptions>(isObject, { error: 'expected ioredis Cluster options (an object)' })
    .optional()
    .meta({ typeLabel: 'ClusterOptions', defaultText: '`{}`' })
    .describe(
      "With `cluster`: ioredis's Cluster options (`commandTimeout` defaults as above, in `redisOptions`).",
    ),
});

/**
 * The configuration of `redisConnectionModule`: exactly what ioredis takes, a server or Sentinel
 * (`url`, `options`) or a Cluster (`cluster`, `options`).
 */
export const redisConnectionConfigSchema = z.union([redisServerSchema, redisClusterSchema]);

/** A single server or Sentinel: ioredis's `new Redis(url, options)`. */
export type RedisServerConfig = z.input<typeof redisServerSchema>;

/** Redis Cluster: ioredis's `new Cluster(nodes, options)`. */
export type RedisClusterConfig = z.input<typeof redisClusterSchema>;

/** What `redisConnectionModule` takes. */
export type RedisConnectionConfig = z.input<typeof redisConnectionConfigSchema>;
