import type { ReplicaInfo } from '../directory/TunnelDirectory.js';

/** What one store operation that may span shards did. */
export interface StoreResult {
  /** Entries written or removed. */
  readonly entries: number;
  /** Round trips made: one per shard touched. */
  readonly roundTrips: number;
}

/**
 * Where the directory's entries live, as one replica sees it: Redis (shared by replicas) or a table in
 * memory. Every expiry is computed by the store's own clock (Redis `TIME`), so replicas' clocks do not
 * have to agree. Each method is one round trip per shard, counted in the tracker's metrics.
 */
export interface TunnelStore {
  /** For log lines and errors, e.g. `redis://127.0.0.1:6379`. */
  readonly location: string;
  /**
   * True when the store is reached over the network (Redis), so an outage, not only a paused process, can
   * keep this replica's refreshes from arriving; false for a table in this process's memory.
   */
  readonly isRemote: boolean;
  /** True when a round trip can be attempted now (for Redis: the connection is ready). */
  isAvailable(): boolean;
  /** Calls `listener` each time the store becomes available again after an outage; returns the unsubscribe. */
  onAvailable(listener: () => void): () => void;
  /** Adds or renews this replica's entry for one agent. */
  register(replica: ReplicaInfo, agentId: string, ttlMs: number): Promise<void>;
  /** Removes this replica's entry for one agent. */
  unregister(replicaId: string, agentId: string): Promise<void>;
  /**
   * Makes the store hold exactly `agents` for this replica, each with a fresh expiry: writes missing
   * entries (the store restarted empty), renews the others, removes entries of agents not listed.
   */
  sync(replica: ReplicaInfo, agents: readonly string[], ttlMs: number): Promise<StoreResult>;
  /**
   * Removes expired entries (of any replica) for the agents this replica holds; entries no live replica
   * shares expire with their whole record.
   */
  cleanUp(replicaId: string): Promise<StoreResult>;
  /** Removes every entry of this replica, found through the store's per-replica index. */
  withdraw(replicaId: string): Promise<StoreResult>;
  /**
   * False when this replica's entries were lost since its last sync (Redis emptied by `FLUSHALL`, restarted
   * empty, or a failover to a replica that lacks them): one cheap round trip per shard, whatever the number
   * of agents. Always true for a store that cannot lose entries on its own.
   */
  hasOwnEntries(replicaId: string): Promise<boolean>;
  /** Every replica with an unexpired entry for the agent, this one included. */
  find(agentId: string): Promise<readonly ReplicaInfo[]>;
}
