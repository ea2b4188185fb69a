import { TunnelTrackerError } from '../errors/TunnelTrackerError.js';
import type { TunnelStore } from '../tracker/TunnelStore.js';
import type { TrackerCounters } from '../tracker/TunnelTrackerMetrics.js';
import type { ReplicaIdentity, ReplicaInfo, TunnelDirectory } from './TunnelDirectory.js';

/**
 * The look-up side of the directory. Independent of the tracker's state on purpose: it answers as long
 * as the store can be asked, also after the tracker's stop withdrew this replica's entries.
 */
export class StoreTunnelDirectory implements TunnelDirectory {
  constructor(
    private readonly store: TunnelStore,
    private readonly replica: ReplicaIdentity,
    private readonly counters: TrackerCounters,
  ) {}

  async findReplicas(agentId: string): Promise<readonly ReplicaInfo[]> {
    if (!this.store.isAvailable()) {
      this.counters.failedRoundTrips.find += 1;
      throw new TunnelTrackerError(
        'KAS_TUNNEL_DIRECTORY_UNAVAILABLE',
        `cannot look up agent "${agentId}": the tunnel directory at ${this.store.location} is unavailable (connection down, reconnecting or closed)`,
        `check that Redis runs at ${this.store.location}; requests for agents on other replicas fail until the connection is back`,
      );
    }
    try {
      const replicas = await this.store.find(agentId);
      return replicas.filter((replica) => replica.id !== this.replica.id);
    } catch (error) {
      throw new TunnelTrackerError(
        'KAS_TUNNEL_DIRECTORY_UNAVAILABLE',
        `looking up agent "${agentId}" in the tunnel directory at ${this.store.location} failed: ${error instanceof Error ? error.message : String(error)}`,
        `check that Redis at ${this.store.location} answers; a look-up fails after the client's commandTimeout`,
        { cause: error },
      );
    }
  }
}
