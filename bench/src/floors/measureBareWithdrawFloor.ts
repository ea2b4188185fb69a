import { ALL_BUCKETS, agentKey, bucketOf, indexKey } from '@kas/module-tunnel-tracker';
import { Redis } from 'ioredis';
import { median } from './median.js';

/** Options of `measureBareWithdrawFloor`. */
export interface WithdrawFloorOptions {
  /** Measured runs, after one unmeasured warm-up. Default 7. */
  readonly runs?: number;
}

/** The bare withdraw floor: the one script's round trip, median, min and max over runs. */
export interface WithdrawFloor {
  readonly entries: number;
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly runs: number;
}

/** Keys of their own, so the floor can share a Redis with a kas replica under measurement. */
const PREFIX = 'kas-bench-floor:tunnels';
const REPLICA = 'floor-replica';

/**
 * The minimal withdraw in the tracker's layout: for each bucket, read the replica's index, delete its
 * field from each agent's record, delete the index. No shebang, no helpers: nothing the job does not need.
 */
const WITHDRAW = `
local prefix, replica = ARGV[1], ARGV[2]
local removed = 0
for i = 3, #ARGV do
  local index = prefix .. ':{' .. ARGV[i] .. '}:replica:' .. replica
  for _, agent in ipairs(redis.call('ZRANGE', index, 0, -1)) do
    removed = removed + redis.call('HDEL', prefix .. ':{' .. ARGV[i] .. '}:agent:' .. agent, replica)
  end
  redis.call('DEL', index)
end
return removed
`;

/**
 * The floor of "SIGTERM → entries gone": `entries` agents' entries written in the tunnel tracker's Redis
 * layout (a record hash per agent, the replica's index per bucket, over all 256 buckets), then removed by
 * one Lua script sent as plain `EVAL` — one round trip. Measures that round trip from this process; the
 * entries are written anew before each run, under a key prefix of the floor's own.
 */
export async function measureBareWithdrawFloor(
  redisUrl: string,
  entries: number,
  options: WithdrawFloorOptions = {},
): Promise<WithdrawFloor> {
  const runCount = options.runs ?? 7;
  const redis = new Redis(redisUrl, { lazyConnect: true });
  await redis.connect();
  try {
    const times: number[] = [];
    for (let run = 0; run <= runCount; run++) {
      await writeEntries(redis, entries);
      const startedAt = performance.now();
      const removed = await redis.eval(
        WITHDRAW,
        1,
        indexKey(PREFIX, '00', REPLICA),
        PREFIX,
        REPLICA,
        ...ALL_BUCKETS,
      );
      const elapsedMs = performance.now() - startedAt;
      if (removed !== entries)
        throw new Error(`the floor's withdraw removed ${removed} of ${entries} entries`);
      if (run > 0) times.push(elapsedMs); // the first run warms up the connection and the script cache
    }
    return {
      entries,
      medianMs: median(times),
      minMs: Math.min(...times),
      maxMs: Math.max(...times),
      runs: times.length,
    };
  } finally {
    redis.disconnect();
  }
}

async function writeEntries(redis: Redis, entries: number): Promise<void> {
  const expiresAtMs = Date.now() + 60_000;
  const pipeline = redis.pipeline();
  for (let agent = 0; agent < entries; agent++) {
    const agentId = `floor-agent-${agent}`;
    pipeline.hset(agentKey(PREFIX, agentId), REPLICA, `${expiresAtMs}|127.0.0.1:8155`);
    pipeline.zadd(indexKey(PREFIX, bucketOf(agentId), REPLICA), expiresAtMs, agentId);
  }
  await pipeline.exec();
}
