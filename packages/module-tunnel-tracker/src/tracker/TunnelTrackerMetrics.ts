import { createToken } from '@kas/core';

/** The round trips the tracker makes to its store, as counted in metrics. */
export const TRACKER_OPERATIONS = [
  'register',
  'unregister',
  'sync',
  'cleanUp',
  'withdraw',
  'find',
  'check',
] as const;

/**
 * One kind of round trip to the store. `sync` is the refresh (also run at start, on reconnect and when the
 * entry check finds the entries lost); `check` is the entry check (one per shard).
 */
export type TrackerOperation = (typeof TRACKER_OPERATIONS)[number];

/** What the last withdraw did, for the trace and benchmarks. */
export interface WithdrawResult {
  /** Entries of this replica removed from the store. */
  readonly agents: number;
  /** Round trips the withdraw made: 1 for a single server or Sentinel, one per master with Cluster. */
  readonly roundTrips: number;
  readonly durationMs: number;
}

/** A snapshot of the tracker's counters; the kas app exposes them with prom-client. */
export interface TunnelTrackerMetrics {
  /** Gauge: agents this replica currently advertises (its last write for them succeeded). */
  readonly registeredAgents: number;
  /** Gauge: agents with tunnels here, as the registry reported them (advertised or waiting for the store). */
  readonly connectedAgents: number;
  /** Counters: round trips to the store by operation, since the module was created. */
  readonly roundTrips: Readonly<Record<TrackerOperation, number>>;
  /** Counters: failed round trips to the store (errors, timeouts, store unavailable) by operation. */
  readonly failedRoundTrips: Readonly<Record<TrackerOperation, number>>;
  /** The withdraw at stop, once it has completed. */
  readonly lastWithdraw?: WithdrawResult;
}

/** Reads the tracker's metrics. */
export interface TunnelTrackerMetricsSource {
  /** The counters and gauges now; a fresh object each call. */
  snapshot(): TunnelTrackerMetrics;
}

/** The tracker's metrics, provided by `tunnel-tracker`. */
export const TunnelTrackerMetricsToken = createToken<TunnelTrackerMetricsSource>('tunnel-tracker.metrics');

/** The mutable counters behind the snapshots. */
export class TrackerCounters {
  readonly roundTrips = zeroes();
  readonly failedRoundTrips = zeroes();

  /** Awaits one round trip, counting it and, when it rejects, its failure. */
  async count<T>(operation: TrackerOperation, roundTrip: Promise<T>): Promise<T> {
    this.roundTrips[operation] += 1;
    try {
      return await roundTrip;
    } catch (error) {
      this.failedRoundTrips[operation] += 1;
      throw error;
    }
  }
}

function zeroes(): Record<TrackerOperation, number> {
  return Object.fromEntries(TRACKER_OPERATIONS.map((operation) => [operation, 0])) as Record<
    TrackerOperation,
    number
  >;
}
