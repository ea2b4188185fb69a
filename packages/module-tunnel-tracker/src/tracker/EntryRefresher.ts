import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { ReplicaIdentity } from '../directory/TunnelDirectory.js';
import type { AgentRegistrations } from './AgentRegistrations.js';
import { EntryLossReporter } from './EntryLossReporter.js';
import type { TrackerTimings } from './TrackerTimings.js';
import type { TunnelStore } from './TunnelStore.js';
import type { WriteFailureReporter } from './WriteFailureReporter.js';

/**
 * How long a replica that finds it was paused (its entries expired) waits before writing them again, at
 * most (a quarter of entryTtl with shorter TTLs): an agent whose connection closed meanwhile was seen to
 * leave 20-80 ms after the process resumed.
 */
const PAUSE_SETTLE_MS = 500;

/** Why the tracker rewrites all its entries. */
type SyncReason = 'start' | 'refresh' | 'reconnect' | 'lost';

/**
 * Keeps this replica's entries in the store: rewrites them all (a sync) every `refreshPeriod`, whenever
 * the store comes back, and when the entry check (every `entryCheckPeriod`) finds them lost; removes
 * expired entries every `cleanUpPeriod`. When its last successful refresh is older than `entryTtl` (the
 * process was paused), the first refresh or check to run says the entries expired and writes them again.
 */
export class EntryRefresher {
  readonly #losses: EntryLossReporter;
  #refreshTimer: NodeJS.Timeout | undefined;
  #cleanUpTimer: NodeJS.Timeout | undefined;
  #checkTimer: NodeJS.Timeout | undefined;
  #stopWatchingStore: (() => void) | undefined;
  /**
   * When the last successful sync was sent (`performance.now()`, which counts a paused process's time):
   * its entries expire no earlier than `entryTtl` after it, so until then entries that are gone were
   * removed, not expired. Undefined until a sync succeeds.
   */
  #lastRefreshAt: number | undefined;
  #isChecking = false;
  #syncing: Promise<void> | undefined;
  /** The sync asked for while one runs; `lost` is not downgraded by a refresh asked for later. */
  #queuedSync: SyncReason | undefined;

  constructor(
    private readonly store: TunnelStore,
    private readonly replica: ReplicaIdentity,
    private readonly timings: TrackerTimings,
    private readonly registrations: AgentRegistrations,
    private readonly log: Logger,
    /** Syncs, checks and clean-ups run only while the tracker runs. */
    private readonly isRunning: () => boolean,
    /** Failed syncs and clean-ups: one warning per refusal, however often they are retried. */
    private readonly writeFailures: WriteFailureReporter,
  ) {
    this.#losses = new EntryLossReporter(store, timings, log);
  }

  /** Writes all entries once, then syncs on every reconnect and begins the periodic work. */
  async start(): Promise<void> {
    this.#stopWatchingStore = this.store.onAvailable(() => void this.sync('reconnect'));
    await this.sync('start');
    this.#refreshTimer = setInterval(() => void this.sync('refresh'), this.timings.refreshPeriodMs);
    this.#cleanUpTimer = setInterval(() => void this.cleanUp(), this.timings.cleanUpPeriodMs);
    this.#checkTimer = setInterval(() => void this.checkEntries(), this.timings.entryCheckPeriodMs);
  }

  /** Ends the periodic work and the syncs on reconnect; a sync under way ends once its round trip has. */
  stop(): void {
    clearInterval(this.#refreshTimer);
    clearInterval(this.#cleanUpTimer);
    clearInterval(this.#checkTimer);
    this.#stopWatchingStore?.();
  }

  /** Rewrites all entries; a sync asked for while one runs is run once after it. */
  private sync(reason: SyncReason): Promise<void> {
    if (this.#syncing !== undefined) {
      if (this.#queuedSync !== 'lost') this.#queuedSync = reason;
      return this.#syncing;
    }
    this.#syncing = (async () => {
      try {
        let next: SyncReason | undefined = reason;
        while (next !== undefined && this.isRunning()) {
          this.#queuedSync = undefined;
          await this.syncOnce(next);
          next = this.#queuedSync;
        }
      } finally {
        this.#syncing = undefined;
        this.#queuedSync = undefined;
      }
    })();
    return this.#syncing;
  }

  private async syncOnce(reason: SyncReason): Promise<void> {
    if (!this.isRunning() || !this.store.isAvailable()) return;
    // Whichever timer runs first after a pause (a refresh, a check, or a reconnect) notices the expiry.
    const refreshedAt = this.#lastRefreshAt;
    const refreshAgeMs = refreshedAt === undefined ? 0 : ageMs(refreshedAt);
    const hasExpired = refreshedAt !== undefined && refreshAgeMs > this.timings.entryTtlMs;
    if (hasExpired) {
      // The process was paused: what happened meanwhile arrives now, over a few turns of the event loop
      // (an agent that moved to another replica: its connection's end, then its tunnels'). Written at
      // once, such an agent was advertised here again until its unregister delay ended.
      await delay(Math.min(PAUSE_SETTLE_MS, this.timings.entryTtlMs / 4));
      if (!this.isRunning() || !this.store.isAvailable()) return;
      this.#losses.report('expired', refreshAgeMs, refreshedAt, this.registrations.stayingCount);
    }
    const isLoss = hasExpired || reason === 'lost';
    // Entries that are gone are advertised no more; those of agents in their unregister delay stay gone.
    if (isLoss) this.registrations.forgetRegistered();
    const agents = this.registrations.toSync();
    const loggedReason: SyncReason = isLoss ? 'lost' : reason;
    const sentAt = performance.now();
    try {
      const result = await this.store.sync(
        { id: this.replica.id, privateAddress: this.replica.privateAddress },
        agents,
        this.timings.entryTtlMs,
      );
      this.#lastRefreshAt = sentAt;
      this.registrations.synced(agents);
      this.writeFailures.succeeded('sync');
      this.log[loggedReason === 'refresh' ? 'debug' : 'info'](
        {
          event: 'tunnels.written',
          reason: loggedReason,
          agents: result.entries,
          roundTrips: result.roundTrips,
        },
        'tunnel directory entries written',
      );
    } catch (error) {
      this.writeFailures.failed('sync', error, { syncReason: loggedReason, agents: agents.length });
    }
  }

  /**
   * Asks the store whether this replica's entries are still there (one round trip per shard) and, when
   * they are not, writes them all again at once rather than at the next refresh. Entries last refreshed
   * longer than `entryTtl` ago have expired: the sync says so without asking.
   */
  private async checkEntries(): Promise<void> {
    const refreshedAt = this.#lastRefreshAt;
    if (!this.isRunning() || refreshedAt === undefined || this.#isChecking) return;
    if (this.#syncing !== undefined || !this.store.isAvailable()) return;
    if (ageMs(refreshedAt) > this.timings.entryTtlMs) {
      await this.sync('lost');
      return;
    }
    this.#isChecking = true;
    try {
      if (await this.store.hasOwnEntries(this.replica.id)) return;
      // Measured when the answer came: a marker gone within entryTtl of the refresh was removed.
      const refreshAgeMs = ageMs(refreshedAt);
      const cause = refreshAgeMs > this.timings.entryTtlMs ? 'expired' : 'removed';
      this.#losses.report(cause, refreshAgeMs, refreshedAt, this.registrations.stayingCount);
      await this.sync('lost');
    } catch (error) {
      this.log.debug({ err: error, store: this.store.location }, 'tunnel directory entry check failed');
    } finally {
      this.#isChecking = false;
    }
  }

  private async cleanUp(): Promise<void> {
    if (!this.isRunning() || !this.store.isAvailable()) return;
    try {
      const result = await this.store.cleanUp(this.replica.id);
      this.writeFailures.succeeded('cleanUp');
      if (result.entries > 0) this.log.debug({ removed: result.entries }, 'expired tunnel entries removed');
    } catch (error) {
      this.writeFailures.failed('cleanUp', error);
    }
  }
}

/** Whole milliseconds since `at` (a `performance.now()` reading). */
function ageMs(at: number): number {
  return Math.round(performance.now() - at);
}
