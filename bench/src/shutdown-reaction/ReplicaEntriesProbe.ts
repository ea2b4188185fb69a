import { wallNow } from '@kas/demo';
import { ALL_BUCKETS, indexKey } from '@kas/module-tunnel-tracker';
import { Redis } from 'ioredis';

/**
 * Watches one replica's entries in the Redis tunnel directory from the outside: one `EXISTS` over the
 * replica's 256 index keys per read (the tracker's withdraw removes them and the agents' fields in one
 * script, so they go all at once), read every `intervalMs` until none is left.
 */
export class ReplicaEntriesProbe {
  readonly #redis: Redis;
  readonly #keys: readonly string[];
  #goneAtMs: number | undefined;
  #isPolling = false;
  #polling: Promise<void> = Promise.resolve();

  constructor(redisUrl: string, replicaId: string, keyPrefix = 'kas:tunnels') {
    this.#redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    this.#keys = ALL_BUCKETS.map((bucket) => indexKey(keyPrefix, bucket, replicaId));
  }

  /** How many of the replica's index keys exist now (0: it advertises no agent). */
  async indexKeys(): Promise<number> {
    if (this.#redis.status === 'wait') await this.#redis.connect();
    return this.#redis.exists(...this.#keys);
  }

  /** Starts reading every `intervalMs`; `goneAtMs` is set by the first read that finds no key. */
  start(intervalMs: number): void {
    this.#isPolling = true;
    this.#polling = (async () => {
      while (this.#isPolling && this.#goneAtMs === undefined) {
        if ((await this.indexKeys()) === 0) this.#goneAtMs = wallNow();
        else await new Promise((resolve) => setTimeout(resolve, intervalMs));
      }
    })();
  }

  /** Wall-clock ms when the read that first found none of the replica's keys came back. */
  get goneAtMs(): number | undefined {
    return this.#goneAtMs;
  }

  /** Stops reading and closes the connection. */
  async close(): Promise<void> {
    this.#isPolling = false;
    await this.#polling.catch(() => undefined);
    this.#redis.disconnect();
  }
}
