import { Redis } from 'ioredis';
import { wallNow } from './wallClock.js';

/** Which replicas advertise which agents in the Redis tunnel directory, at one moment. */
export interface DirectorySnapshot {
  /** Wall-clock ms when the read completed. */
  readonly atMs: number;
  /** agent id → ids of the replicas with a live (unexpired) entry for it. */
  readonly replicasByAgent: ReadonlyMap<string, readonly string[]>;
  /** replica id → the agents it advertises. */
  readonly agentsByReplica: ReadonlyMap<string, readonly string[]>;
}

/**
 * Reads the kas tunnel directory straight from Redis, as an operator would (see the tunnel tracker's
 * README for the layout): every `<prefix>:{<bucket>}:agent:<id>` hash, its fields `<replicaId>` →
 * `<expiresAtMs>|<privateAddress>`, entries expired by Redis `TIME` left out.
 */
export class TunnelDirectoryReader {
  readonly #redis: Redis;

  constructor(
    redisUrl: string,
    private readonly keyPrefix = 'kas:tunnels',
  ) {
    this.#redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    // A lost connection fails the reads made meanwhile (read() rejects); the event itself says no more.
    this.#redis.on('error', () => undefined);
  }

  async read(): Promise<DirectorySnapshot> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [nextCursor, found] = await this.#redis.scan(
        cursor,
        'MATCH',
        `${this.keyPrefix}:*:agent:*`,
        'COUNT',
        1000,
      );
      keys.push(...found);
      cursor = nextCursor;
    } while (cursor !== '0');
    const pipeline = this.#redis.pipeline().time();
    for (const key of keys) pipeline.hgetall(key);
    const results = (await pipeline.exec()) ?? [];
    const atMs = wallNow(); // an upper bound: the entries read were there (or gone) by now
    const [seconds, micros] = (results[0]?.[1] ?? ['0', '0']) as [string, string];
    const nowMs = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    const replicasByAgent = new Map<string, string[]>();
    const agentsByReplica = new Map<string, string[]>();
    keys.forEach((key, index) => {
      const agentId = key.slice(key.indexOf(':agent:') + ':agent:'.length);
      const fields = (results[index + 1]?.[1] ?? {}) as Record<string, string>;
      for (const [replicaId, value] of Object.entries(fields)) {
        if (Number(value.slice(0, value.indexOf('|'))) <= nowMs) continue;
        replicasByAgent.set(agentId, [...(replicasByAgent.get(agentId) ?? []), replicaId]);
        agentsByReplica.set(replicaId, [...(agentsByReplica.get(replicaId) ?? []), agentId]);
      }
    });
    return { atMs, replicasByAgent, agentsByReplica };
  }

  async close(): Promise<void> {
    this.#redis.disconnect();
  }
}
