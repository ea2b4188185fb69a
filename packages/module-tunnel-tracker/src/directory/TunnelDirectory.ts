import { createToken } from '@kas/core';

/** A replica that holds at least one tunnel for an agent, and how other replicas reach it. */
export interface ReplicaInfo {
  /** The replica's id, unique among the replicas sharing one directory. */
  readonly id: string;
  /** Where other replicas reach this replica's private API, e.g. `10.0.3.7:8155`. */
  readonly privateAddress: string;
}

/**
 * The question every replica asks: which other replicas hold tunnels for agent X right now. The kube
 * proxy asks it for each request to an agent that has no tunnel on this replica.
 */
export interface TunnelDirectory {
  /**
   * The replicas other than this one that hold at least one tunnel for `agentId`, in no particular
   * order; empty when none does. This replica is never listed: its own tunnels are the local
   * registry's business, and forwarding to itself would loop. Entries whose expiry has passed (a
   * replica that died) are skipped. Keeps answering after the tracker's stop began, until the Redis
   * connection closes. Rejects at once with a `TunnelTrackerError` of code
   * `KAS_TUNNEL_DIRECTORY_UNAVAILABLE` when Redis cannot be asked (down, reconnecting, closed), and
   * with the same code when the look-up itself fails or times out.
   */
  findReplicas(agentId: string): Promise<readonly ReplicaInfo[]>;
}

/** The tunnel directory, provided by `tunnel-tracker`. */
export const TunnelDirectoryToken = createToken<TunnelDirectory>('tunnel-tracker.directory');

/**
 * Who this replica is. `tunnel-tracker` reads both fields each time it writes an entry (not once at
 * construction), so a provider may fill in `privateAddress` after it has bound its listener, as long as
 * it does so before the tracker starts. In kas the app provides it from config, or the private-API
 * module provides it once it listens.
 */
export interface ReplicaIdentity {
  readonly id: string;
  readonly privateAddress: string;
}

/** This replica's identity; `tunnel-tracker` needs it. */
export const ReplicaIdentityToken = createToken<ReplicaIdentity>('tunnel-tracker.replica-identity');
