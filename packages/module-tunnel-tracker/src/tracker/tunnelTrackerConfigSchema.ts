import { duration, positiveDuration } from '@kas/config';
import { formatDuration } from '@kas/core';
import { z } from 'zod';
import { MemoryTunnelTable } from '../memory/MemoryTunnelTable.js';

/** The default Redis key prefix. */
export const DEFAULT_KEY_PREFIX = 'kas:tunnels';

/** The tracker's timings and its drain budget: the keys both stores share. */
const timingsShape = {
  entryTtl: positiveDuration()
    .prefault('60s')
    .describe(
      'How long an entry lives unless its replica refreshes it: the longest time a replica that died without stopping stays listed (look-ups skip it from then on).',
    ),
  refreshPeriod: positiveDuration()
    .prefault('20s')
    .describe(
      'How often a replica rewrites all its entries with a fresh expiry; shorter than `entryTtl` (a third lets two refreshes fail before entries expire). A refresh also writes what is missing (Redis restarted empty without the client noticing) and removes what should no longer be there.',
    ),
  entryCheckPeriod: positiveDuration()
    .prefault('2s')
    .describe(
      "`store: 'redis'` only. How often a replica checks that its entries are still in Redis: one `EXISTS` per shard on a marker every refresh writes, whatever the number of agents. When the marker is gone (`FLUSHALL`, a Redis restarted empty, a failover to a replica that lacks the data) it writes every entry again at once, so look-ups from other replicas find its agents again within about this period instead of the next refresh.",
    ),
  cleanUpPeriod: positiveDuration()
    .prefault('60s')
    .describe(
      'How often a replica removes expired entries, of any replica, from the records of the agents it holds.',
    ),
  unregisterDelay: positiveDuration()
    .prefault('5s')
    .describe(
      "How long after an agent's last tunnel went its entry is removed. A tunnel coming back within the delay cancels it without a write (unless the entry was lost meanwhile: then it is written again), so tunnel churn does not flap Redis.",
    ),
  drainBudget: duration()
    .prefault('5s')
    .describe(
      'How long the withdraw at stop may wait for a slow or stalled Redis; the entries then expire on their own. A withdraw takes milliseconds.',
    ),
};

const store = {
  redis: z
    .literal('redis')
    .meta({
      typeLabel: "'redis' or 'memory'",
      defaultText: "`'memory'` when `tunnelTrackerModule()` is called without a config",
    })
    .describe(
      "`'redis'` shares the directory through the `redis-connection` module; `'memory'` keeps it in a `MemoryTunnelTable` in this process (a single replica, no Redis).",
    ),
  memory: z.literal('memory'),
};

/** The tracker backed by Redis, shared by every replica: needs `redis-connection`. */
const redisTrackerSchema = z.strictObject({
  store: store.redis,
  keyPrefix: z
    .string()
    .regex(/^[^{}]+$/, {
      error:
        "expected a non-empty prefix without '{' or '}' (braces would change the Cluster hash tags), such as 'kas:tunnels' or 'kas-staging:tunnels'",
    })
    .prefault(DEFAULT_KEY_PREFIX)
    .describe(
      "`store: 'redis'` only. Prefix of every key, so several kas deployments can share one Redis. A client-level ioredis `keyPrefix` is honoured and goes before it.",
    ),
  ...timingsShape,
});

/** The tracker backed by a table in this process: a single replica, no Redis. */
const memoryTrackerSchema = z.strictObject({
  store: store.memory,
  table: z
    .instanceof(MemoryTunnelTable)
    .optional()
    .meta({ typeLabel: 'MemoryTunnelTable', defaultText: "a table of the module's own" })
    .describe("`store: 'memory'` only. Replicas in one process (tests, demos) may share one."),
  ...timingsShape,
});

/**
 * The configuration of `tunnelTrackerModule`, with its defaults and docs (the README's configuration
 * section is generated from it).
 */
export const tunnelTrackerConfigSchema = z
  .discriminatedUnion('store', [redisTrackerSchema, memoryTrackerSchema], {
    error: "expected store: 'redis' (replicas sharing Redis) or store: 'memory' (a single replica)",
  })
  .superRefine((config, context) => {
    if (config.refreshPeriod >= config.entryTtl) {
      context.addIssue({
        code: 'custom',
        path: ['refreshPeriod'],
        message: `must be shorter than entryTtl (${formatDuration(config.refreshPeriod)} is not below ${formatDuration(config.entryTtl)}), or entries expire between refreshes: a third of entryTtl lets two refreshes fail`,
      });
    }
  });

/** The timings as the tracker takes them (durations: milliseconds or strings such as `'20s'`). */
export type TrackerTimingsConfig = z.input<z.ZodObject<typeof timingsShape>>;

/** What `tunnelTrackerModule` takes. */
export type TunnelTrackerConfig = z.input<typeof tunnelTrackerConfigSchema>;

/** The tracker backed by Redis, shared by every replica: needs `redis-connection`. */
export type RedisTunnelTrackerConfig = z.input<typeof redisTrackerSchema>;

/** The tracker backed by a table in this process: a single replica, no Redis. */
export type MemoryTunnelTrackerConfig = z.input<typeof memoryTrackerSchema>;

/** The configuration with every default filled in and every duration in milliseconds. */
export type ResolvedTunnelTrackerConfig = z.output<typeof tunnelTrackerConfigSchema>;
