import { Cluster, type Redis } from 'ioredis';
import type { ReplicaInfo } from '../directory/TunnelDirectory.js';
import type { StoreResult, TunnelStore } from '../tracker/TunnelStore.js';
import type { TrackerCounters } from '../tracker/TunnelTrackerMetrics.js';
import { describeRedisClient } from './describeRedisAddress.js';
import type { RedisClient } from './RedisClient.js';
import { ALL_BUCKETS, agentKey, bucketOf, indexKey, markerKey, slotOfBucket } from './tunnelKeys.js';
import {
  CLEAN_UP_SCRIPT,
  FIND_SCRIPT,
  REGISTER_SCRIPT,
  SYNC_SCRIPT,
  UNREGISTER_SCRIPT,
  WITHDRAW_SCRIPT,
} from './tunnelScripts.js';

/** The scripts as ioredis commands (EVALSHA, falling back to EVAL once per server). */
interface TunnelCommands {
  kasTunnelRegister(...args: string[]): Promise<number>;
  kasTunnelUnregister(...args: string[]): Promise<number>;
  kasTunnelFind(key: string): Promise<string[]>;
  kasTunnelSync(...args: string[]): Promise<number>;
  kasTunnelCleanUp(...args: string[]): Promise<number>;
}

/** The buckets one node (shard) holds, and a key that routes a call to it. */
interface BucketGroup {
  readonly routingKey: string;
  readonly buckets: readonly string[];
}

/**
 * The tunnel directory's entries in Redis, as one replica reads and writes them. Works the same on a
 * single server, Sentinel and Cluster; with Cluster every multi-bucket operation is one script per master.
 */
export class RedisTunnelStore implements TunnelStore {
  readonly isRemote = true;
  readonly #client: RedisClient;
  readonly #commands: TunnelCommands;
  /** The key prefix as Redis sees it: the client's own `keyPrefix` followed by the tracker's. */
  readonly #prefix: string;
  /** The prefix for keys passed as KEYS, which ioredis prefixes with the client's `keyPrefix` itself. */
  readonly #keyPrefix: string;

  constructor(
    client: RedisClient,
    keyPrefix: string,
    private readonly counters: TrackerCounters,
  ) {
    this.#client = client;
    this.#keyPrefix = keyPrefix;
    this.#prefix = `${client.options.keyPrefix ?? ''}${keyPrefix}`;
    this.#commands = defineTunnelCommands(client);
  }

  get location(): string {
    return describeRedisClient(this.#client);
  }

  isAvailable(): boolean {
    return this.#client.status === 'ready';
  }

  onAvailable(listener: () => void): () => void {
    this.#client.on('ready', listener);
    return () => this.#client.off('ready', listener);
  }

  async register(replica: ReplicaInfo, agentId: string, ttlMs: number): Promise<void> {
    await this.counters.count(
      'register',
      this.#commands.kasTunnelRegister(
        agentKey(this.#keyPrefix, agentId),
        indexKey(this.#keyPrefix, bucketOf(agentId), replica.id),
        replica.id,
        agentId,
        replica.privateAddress,
        String(ttlMs),
      ),
    );
  }

  async unregister(replicaId: string, agentId: string): Promise<void> {
    await this.counters.count(
      'unregister',
      this.#commands.kasTunnelUnregister(
        agentKey(this.#keyPrefix, agentId),
        indexKey(this.#keyPrefix, bucketOf(agentId), replicaId),
        replicaId,
        agentId,
      ),
    );
  }

  async sync(replica: ReplicaInfo, agents: readonly string[], ttlMs: number): Promise<StoreResult> {
    const byBucket = new Map<string, string[]>();
    for (const agent of agents) {
      const bucket = bucketOf(agent);
      const list = byBucket.get(bucket);
      if (list === undefined) byBucket.set(bucket, [agent]);
      else list.push(agent);
    }
    const groups = this.groupByNode();
    const written = await Promise.all(
      groups.map((group) => {
        const args = [this.#prefix, replica.id, replica.privateAddress, String(ttlMs)];
        for (const bucket of group.buckets) {
          const listed = byBucket.get(bucket) ?? [];
          args.push(bucket, String(listed.length), ...listed);
        }
        return this.counters.count('sync', this.#commands.kasTunnelSync(group.routingKey, ...args));
      }),
    );
    return { entries: sum(written), roundTrips: groups.length };
  }

  async cleanUp(replicaId: string): Promise<StoreResult> {
    const groups = this.groupByNode();
    const removed = await Promise.all(
      groups.map((group) =>
        this.counters.count(
          'cleanUp',
          this.#commands.kasTunnelCleanUp(group.routingKey, this.#prefix, replicaId, ...group.buckets),
        ),
      ),
    );
    return { entries: sum(removed), roundTrips: groups.length };
  }

  async withdraw(replicaId: string): Promise<StoreResult> {
    const groups = this.groupByNode();
    // Plain EVAL rather than EVALSHA: a withdraw runs once, and must be exactly one round trip per shard
    // even on a server that has not cached the script.
    const removed = await Promise.all(
      groups.map((group) =>
        this.counters.count(
          'withdraw',
          this.#client.eval(
            WITHDRAW_SCRIPT,
            1,
            group.routingKey,
            this.#prefix,
            replicaId,
            ...group.buckets,
          ) as Promise<number>,
        ),
      ),
    );
    return { entries: sum(removed), roundTrips: groups.length };
  }

  async hasOwnEntries(replicaId: string): Promise<boolean> {
    // One EXISTS per shard on the marker the last sync wrote in the shard's first bucket: the cost does
    // not grow with the number of agents.
    const present = await Promise.all(
      this.groupByNode().map((group) =>
        this.counters.count(
          'check',
          this.#client.exists(markerKey(this.#keyPrefix, group.buckets[0] as string, replicaId)),
        ),
      ),
    );
    return present.every((count) => count === 1);
  }

  async find(agentId: string): Promise<readonly ReplicaInfo[]> {
    const flat = await this.counters.count(
      'find',
      this.#commands.kasTunnelFind(agentKey(this.#keyPrefix, agentId)),
    );
    const replicas: ReplicaInfo[] = [];
    for (let index = 0; index + 1 < flat.length; index += 2) {
      replicas.push({ id: String(flat[index]), privateAddress: String(flat[index + 1]) });
    }
    return replicas;
  }

  /**
   * The buckets by the master that holds them: one group on a single server or Sentinel, one per master
   * with Cluster (from the client's current slot table).
   */
  private groupByNode(): readonly BucketGroup[] {
    if (!(this.#client instanceof Cluster)) {
      return [{ routingKey: this.routingKey(ALL_BUCKETS[0] as string), buckets: ALL_BUCKETS }];
    }
    const slots = this.#client.slots;
    const byNode = new Map<string, string[]>();
    for (const bucket of ALL_BUCKETS) {
      const node = slots[slotOfBucket(this.#prefix, bucket)]?.[0] ?? 'unknown';
      const list = byNode.get(node);
      if (list === undefined) byNode.set(node, [bucket]);
      else list.push(bucket);
    }
    return [...byNode.values()].map((buckets) => ({
      routingKey: this.routingKey(buckets[0] as string),
      buckets,
    }));
  }

  private routingKey(bucket: string): string {
    return indexKey(this.#keyPrefix, bucket, 'routing');
  }
}

function defineTunnelCommands(client: RedisClient): TunnelCommands {
  const target = client as RedisClient & Partial<TunnelCommands>;
  if (target.kasTunnelRegister === undefined) {
    const define = (name: string, numberOfKeys: number, lua: string) =>
      (client as Redis).defineCommand(name, { numberOfKeys, lua });
    define('kasTunnelRegister', 2, REGISTER_SCRIPT);
    define('kasTunnelUnregister', 2, UNREGISTER_SCRIPT);
    define('kasTunnelFind', 1, FIND_SCRIPT);
    define('kasTunnelSync', 1, SYNC_SCRIPT);
    define('kasTunnelCleanUp', 1, CLEAN_UP_SCRIPT);
  }
  return target as RedisClient & TunnelCommands;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + Number(value), 0);
}
