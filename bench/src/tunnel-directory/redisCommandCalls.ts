import type { Redis } from 'ioredis';

/** Redis's own account of one command since the last `CONFIG RESETSTAT`. */
export interface CommandStat {
  readonly calls: number;
  /** Time Redis spent executing it, microseconds (for a script: the whole script). */
  readonly usec: number;
}

/**
 * Redis's own count of calls per command since the last `CONFIG RESETSTAT`, from `INFO commandstats`
 * (`cmdstat_eval:calls=1,usec=...`), by lower-case command name. Commands a script runs count too.
 */
export async function redisCommandCalls(redis: Redis): Promise<ReadonlyMap<string, CommandStat>> {
  const info = await redis.info('commandstats');
  const stats = new Map<string, CommandStat>();
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) {
    stats.set(match[1] as string, { calls: Number(match[2]), usec: Number(match[3]) });
  }
  return stats;
}
