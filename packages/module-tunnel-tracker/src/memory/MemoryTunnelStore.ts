import type { ReplicaInfo } from '../directory/TunnelDirectory.js';
import type { StoreResult, TunnelStore } from '../tracker/TunnelStore.js';
import type { TrackerCounters } from '../tracker/TunnelTrackerMetrics.js';
import type { MemoryTunnelTable } from './MemoryTunnelTable.js';

/** The tunnel directory's entries in a `MemoryTunnelTable`, as one replica reads and writes them. */
export class MemoryTunnelStore implements TunnelStore {
  readonly location = 'memory';
  readonly isRemote = false;

  constructor(
    private readonly table: MemoryTunnelTable,
    private readonly replicaId: () => string,
    private readonly counters: TrackerCounters,
  ) {}

  isAvailable(): boolean {
    return !this.table.isSevered(this.replicaId());
  }

  onAvailable(): () => void {
    return () => {};
  }

  register(replica: ReplicaInfo, agentId: string, ttlMs: number): Promise<void> {
    return this.roundTrip('register', () => {
      this.table.write(agentId, replica.id, replica.privateAddress, ttlMs);
    });
  }

  unregister(replicaId: string, agentId: string): Promise<void> {
    return this.roundTrip('unregister', () => {
      this.table.remove(agentId, replicaId);
    });
  }

  sync(replica: ReplicaInfo, agents: readonly string[], ttlMs: number): Promise<StoreResult> {
    return this.roundTrip('sync', () => {
      const listed = new Set(agents);
      for (const agent of this.table.agentsOf(replica.id)) {
        if (!listed.has(agent)) this.table.remove(agent, replica.id);
      }
      for (const agent of agents) this.table.write(agent, replica.id, replica.privateAddress, ttlMs);
      return { entries: agents.length, roundTrips: 1 };
    });
  }

  cleanUp(): Promise<StoreResult> {
    return this.roundTrip('cleanUp', () => ({ entries: this.table.removeExpired(), roundTrips: 1 }));
  }

  withdraw(replicaId: string): Promise<StoreResult> {
    return this.roundTrip('withdraw', () => {
      let removed = 0;
      for (const agent of this.table.agentsOf(replicaId)) {
        if (this.table.remove(agent, replicaId)) removed += 1;
      }
      return { entries: removed, roundTrips: 1 };
    });
  }

  hasOwnEntries(): Promise<boolean> {
    return Promise.resolve(true); // the table loses nothing on its own
  }

  find(agentId: string): Promise<readonly ReplicaInfo[]> {
    return this.roundTrip('find', () =>
      this.table
        .liveEntries(agentId)
        .map((entry) => ({ id: entry.replicaId, privateAddress: entry.privateAddress })),
    );
  }

  /** Runs one operation as the store's "round trip": counted, and refused while severed. */
  private roundTrip<T>(operation: Parameters<TrackerCounters['count']>[0], work: () => T): Promise<T> {
    return this.counters.count(
      operation,
      (async () => {
        if (!this.isAvailable()) throw new Error(`replica "${this.replicaId()}" is severed from the table`);
        return work();
      })(),
    );
  }
}
