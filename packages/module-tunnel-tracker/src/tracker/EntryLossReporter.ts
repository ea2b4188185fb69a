import { formatDuration } from '@kas/core';
import type { Logger } from 'pino';
import type { TrackerTimings } from './TrackerTimings.js';
import type { TunnelStore } from './TunnelStore.js';

/**
 * Why this replica's entries were gone, the `cause` of its `tunnels.lost` line: `expired` when it had not
 * refreshed them within `entryTtl` (it was paused, starved of CPU, or could not reach a remote store),
 * `removed` when they vanished although refreshed within `entryTtl` (the store was emptied, restarted or
 * failed over).
 */
export type LossCause = 'expired' | 'removed';

/** Logs `tunnels.lost` (a warning) once per loss, however many syncs and checks notice it. */
export class EntryLossReporter {
  /** The refresh whose loss was logged, by its `performance.now()` reading. */
  #reportedLossOf: number | undefined;

  constructor(
    private readonly store: TunnelStore,
    private readonly timings: TrackerTimings,
    private readonly log: Logger,
  ) {}

  /**
   * Logs that the entries of the refresh at `refreshedAt` (a `performance.now()` reading, `refreshAgeMs`
   * ago) are gone and that `agents` entries are written again (agents in their unregister delay stay
   * gone); nothing when that loss was logged already.
   */
  report(cause: LossCause, refreshAgeMs: number, refreshedAt: number, agents: number): void {
    if (this.#reportedLossOf === refreshedAt) return;
    this.#reportedLossOf = refreshedAt;
    const store = this.store.location;
    const entryTtlMs = this.timings.entryTtlMs;
    this.log.warn(
      { event: 'tunnels.lost', cause, store, agents, refreshAgeMs, entryTtlMs },
      cause === 'expired'
        ? `this replica's tunnel directory entries in ${store} expired: it last refreshed them ${formatDuration(refreshAgeMs)} ago, longer than entryTtl (${formatDuration(entryTtlMs)}), so ${this.whyNotRefreshed()}; writing ${agents} again now`
        : `this replica's tunnel directory entries are gone from ${store} (emptied, restarted or failed over); writing ${agents} again now`,
    );
  }

  /** What kept the refreshes from arriving: only a remote store can be out of reach. */
  private whyNotRefreshed(): string {
    return this.store.isRemote
      ? `the process was likely paused or starved of CPU, or could not reach ${this.store.location}`
      : 'the process was paused or too busy to refresh them in time';
  }
}
