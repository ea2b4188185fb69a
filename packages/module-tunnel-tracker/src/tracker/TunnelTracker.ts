import type { LifecycleContext } from '@kas/core';
import type { TunnelRegistry } from '@kas/tunnel-protocol';
import type { Logger } from 'pino';
import type { ReplicaIdentity, ReplicaInfo } from '../directory/TunnelDirectory.js';
import { TunnelTrackerError } from '../errors/TunnelTrackerError.js';
import type { TrackerTimings } from './TrackerTimings.js';
import type { TunnelStore } from './TunnelStore.js';
import type {
  TrackerCounters,
  TunnelTrackerMetrics,
  TunnelTrackerMetricsSource,
  WithdrawResult,
} from './TunnelTrackerMetrics.js';

/** Where a tracker is in its life. Registrations and refreshes happen only while `running`. */
export type TrackerState = 'idle' | 'running' | 'withdrawing' | 'stopped';

/** Why the tracker rewrites all its entries. */
type SyncReason = 'start' | 'refresh' | 'reconnect' | 'lost';

/**
 * Why this replica's entries were gone, the `cause` of its `tunnels.lost` line: `expired` when it had not
 * refreshed them within `entryTtl` (it was paused, starved of CPU, or could not reach the store), `removed`
 * when they vanished although refreshed within `entryTtl` (the store was emptied, restarted or failed over).
 */
type LossCause = 'expired' | 'removed';

/**
 * Advertises the agents that hold tunnels on this replica in the shared directory. Follows the local registry's events: an agent's first tunnel registers it, its last one
 * unregisters it after `unregisterDelay` (a tunnel coming back meanwhile cancels that, so churn does not
 * flap the store). Rewrites everything every `refreshPeriod`, whenever the store comes back, and when the
 * entry check (every `entryCheckPeriod`) finds its entries lost; removes expired entries every
 * `cleanUpPeriod`. When its last successful refresh is older than `entryTtl` (the process was paused), the
 * first refresh or check to run says the entries expired and writes them again. An agent in its unregister
 * delay is renewed while its entry is there, never written back once its entry is gone. At stop it refuses
 * new registrations and withdraws all of this replica's entries in one round trip per shard (look-ups, a
 * separate object, keep working).
 */
export class TunnelTracker implements TunnelTrackerMetricsSource {
  #state: TrackerState = 'idle';
  /** Agents with tunnels here, including those whose unregister delay is running. */
  readonly #agents = new Set<string>();
  /** Agents whose last tunnel went, with the timer that unregisters them. */
  readonly #leaving = new Map<string, NodeJS.Timeout>();
  /** Agents whose last write to the store succeeded. */
  #registered = new Set<string>();
  #lastWithdraw: WithdrawResult | undefined;
  #refreshTimer: NodeJS.Timeout | undefined;
  #cleanUpTimer: NodeJS.Timeout | undefined;
  #checkTimer: NodeJS.Timeout | undefined;
  /**
   * When the last successful sync was sent (`performance.now()`, which counts a paused process's time):
   * its entries expire no earlier than `entryTtl` after it, so until then entries that are gone were
   * removed, not expired. Undefined until a sync succeeds.
   */
  #lastRefreshAt: number | undefined;
  /** The `#lastRefreshAt` whose loss was logged: one `tunnels.lost` line per loss, however many syncs it takes. */
  #reportedLossOf: number | undefined;
  #isChecking = false;
  #stopWatchingStore: (() => void) | undefined;
  #syncing: Promise<void> | undefined;
  /** The sync asked for while one runs; `lost` is not downgraded by a refresh asked for later. */
  #queuedSync: SyncReason | undefined;

  constructor(
    private readonly store: TunnelStore,
    private readonly registry: TunnelRegistry,
    private readonly replica: ReplicaIdentity,
    private readonly timings: TrackerTimings,
    private readonly counters: TrackerCounters,
    private readonly log: Logger,
  ) {}

  get state(): TrackerState {
    return this.#state;
  }

  snapshot(): TunnelTrackerMetrics {
    return {
      registeredAgents: this.#registered.size,
      connectedAgents: this.#agents.size,
      roundTrips: { ...this.counters.roundTrips },
      failedRoundTrips: { ...this.counters.failedRoundTrips },
      ...(this.#lastWithdraw === undefined ? {} : { lastWithdraw: this.#lastWithdraw }),
    };
  }

  /** Takes the agents the registry holds now, writes them, and begins following events and timers. */
  async start(ctx: LifecycleContext): Promise<void> {
    if (this.#state !== 'idle') {
      throw new TunnelTrackerError(
        'KAS_TUNNEL_TRACKER_STATE',
        `tunnel-tracker: cannot start, it is ${this.#state}`,
        'create a new TunnelTracker for every app start; a tracker is started once and stopped once (the core does this for the module)',
      );
    }
    const { id, privateAddress } = this.replica;
    if (id === '' || privateAddress === '') {
      throw new TunnelTrackerError(
        'KAS_TUNNEL_TRACKER_CONFIG_INVALID',
        `tunnel-tracker: the replica identity has an empty ${id === '' ? 'id' : 'privateAddress'}`,
        'provide ReplicaIdentityToken with a unique id and the host:port other replicas reach this one at',
      );
    }
    this.registry.on('agentConnected', this.onAgentConnected);
    this.registry.on('agentDisconnected', this.onAgentDisconnected);
    for (const agentId of this.registry.connectedAgents()) this.#agents.add(agentId);
    this.#stopWatchingStore = this.store.onAvailable(() => void this.sync('reconnect'));
    this.#state = 'running';
    await this.sync('start');
    this.#refreshTimer = setInterval(() => void this.sync('refresh'), this.timings.refreshPeriodMs);
    this.#cleanUpTimer = setInterval(() => void this.cleanUp(), this.timings.cleanUpPeriodMs);
    this.#checkTimer = setInterval(() => void this.checkEntries(), this.timings.entryCheckPeriodMs);
    ctx.log.info(
      { store: this.store.location, replica: id, agents: this.#agents.size, ...this.timings },
      'advertising this replica in the tunnel directory',
    );
  }

  /**
   * Refuses new registrations and refreshes, then removes every entry of this replica in one round trip
   * per shard, bounded by `ctx.signal`. When the store is unavailable or too slow, the entries are left
   * to expire on their own within `entryTtl`.
   */
  async stop(ctx: LifecycleContext): Promise<void> {
    if (this.#state !== 'running') return;
    this.#state = 'withdrawing';
    this.registry.off('agentConnected', this.onAgentConnected);
    this.registry.off('agentDisconnected', this.onAgentDisconnected);
    clearInterval(this.#refreshTimer);
    clearInterval(this.#cleanUpTimer);
    clearInterval(this.#checkTimer);
    for (const timer of this.#leaving.values()) clearTimeout(timer);
    this.#leaving.clear();
    this.#stopWatchingStore?.();
    const advertised = this.#registered.size;
    ctx.progress({ state: 'withdrawing', agents: advertised });
    const leftToExpire = (reason: string, error?: unknown) => {
      ctx.progress({ state: 'leftToExpire', agents: advertised, reason });
      ctx.log.warn(
        {
          err: error,
          store: this.store.location,
          agents: advertised,
          expireWithinMs: this.timings.entryTtlMs,
        },
        `could not withdraw this replica's tunnel entries (${reason}); they will expire on their own within ${this.timings.entryTtlMs}ms`,
      );
      ctx.mark('tunnels.leftToExpire', { agents: advertised, reason });
    };
    try {
      if (!this.store.isAvailable()) {
        leftToExpire('store unavailable');
        return;
      }
      const startedAt = performance.now();
      const result = await untilAborted(this.store.withdraw(this.replica.id), ctx.signal);
      this.#lastWithdraw = {
        agents: result.entries,
        roundTrips: result.roundTrips,
        durationMs: performance.now() - startedAt,
      };
      this.#registered.clear();
      ctx.progress({ state: 'withdrawn', ...this.#lastWithdraw });
      ctx.mark('tunnels.withdrawn', { ...this.#lastWithdraw });
      ctx.log.info(
        { store: this.store.location, ...this.#lastWithdraw },
        "withdrew this replica's tunnel entries",
      );
    } catch (error) {
      leftToExpire(ctx.signal.aborted ? 'drain budget ended' : 'store error', error);
    } finally {
      this.#state = 'stopped';
    }
  }

  private readonly onAgentConnected = (agentId: string): void => {
    if (this.#state !== 'running') return;
    const leaving = this.#leaving.get(agentId);
    if (leaving !== undefined) {
      clearTimeout(leaving);
      this.#leaving.delete(agentId);
      // Back within the delay: its entry is still there, unless it was lost meanwhile and not written back.
      if (this.#registered.has(agentId)) return;
    } else if (this.#agents.has(agentId)) {
      return;
    }
    this.#agents.add(agentId);
    void this.write('register', agentId, () =>
      this.store.register(this.replicaInfo(), agentId, this.timings.entryTtlMs),
    );
  };

  private readonly onAgentDisconnected = (agentId: string): void => {
    if (this.#state !== 'running' || !this.#agents.has(agentId) || this.#leaving.has(agentId)) return;
    const timer = setTimeout(() => {
      this.#leaving.delete(agentId);
      this.#agents.delete(agentId);
      void this.write('unregister', agentId, () => this.store.unregister(this.replica.id, agentId));
    }, this.timings.unregisterDelayMs);
    this.#leaving.set(agentId, timer);
  };

  /** One agent's write; while the store is unavailable only local state changes (a sync follows). */
  private async write(
    operation: 'register' | 'unregister',
    agentId: string,
    roundTrip: () => Promise<void>,
  ): Promise<void> {
    if (!this.store.isAvailable()) {
      this.log.debug({ agentId, operation }, 'tunnel directory unavailable; written when it is back');
      return;
    }
    try {
      await roundTrip();
      if (operation === 'unregister') this.#registered.delete(agentId);
      else if (this.#agents.has(agentId)) this.#registered.add(agentId);
    } catch (error) {
      this.log.warn(
        { err: error, agentId, operation, store: this.store.location },
        'tunnel directory write failed; the next refresh corrects it',
      );
    }
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
        while (next !== undefined && this.#state === 'running') {
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
    if (this.#state !== 'running' || !this.store.isAvailable()) return;
    // Whichever timer runs first after a pause (a refresh, a check, or a reconnect) notices the expiry.
    const refreshedAt = this.#lastRefreshAt;
    const refreshAgeMs = refreshedAt === undefined ? 0 : ageMs(refreshedAt);
    const hasExpired = refreshedAt !== undefined && refreshAgeMs > this.timings.entryTtlMs;
    if (hasExpired) this.reportLoss('expired', refreshAgeMs, refreshedAt);
    const isLoss = hasExpired || reason === 'lost';
    // Entries that are gone are advertised no more; those of agents in their unregister delay stay gone.
    if (isLoss) this.#registered.clear();
    const agents = [...this.#agents].filter(
      (agentId) => !this.#leaving.has(agentId) || this.#registered.has(agentId),
    );
    const loggedReason: SyncReason = isLoss ? 'lost' : reason;
    const sentAt = performance.now();
    try {
      const result = await this.store.sync(this.replicaInfo(), agents, this.timings.entryTtlMs);
      this.#lastRefreshAt = sentAt;
      this.#registered = new Set(agents.filter((agentId) => this.#agents.has(agentId)));
      this.log[loggedReason === 'refresh' ? 'debug' : 'info'](
        { reason: loggedReason, agents: result.entries, roundTrips: result.roundTrips },
        'tunnel directory entries written',
      );
    } catch (error) {
      this.log.warn(
        { err: error, reason: loggedReason, agents: agents.length, store: this.store.location },
        'could not write the tunnel directory entries; retrying at the next refresh',
      );
    }
  }

  /**
   * Asks the store whether this replica's entries are still there (one round trip per shard) and, when
   * they are not, writes them all again at once rather than at the next refresh. Entries last refreshed
   * longer than `entryTtl` ago have expired: the sync says so without asking.
   */
  private async checkEntries(): Promise<void> {
    const refreshedAt = this.#lastRefreshAt;
    if (this.#state !== 'running' || refreshedAt === undefined || this.#isChecking) return;
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
      this.reportLoss(cause, refreshAgeMs, refreshedAt);
      await this.sync('lost');
    } catch (error) {
      this.log.debug({ err: error, store: this.store.location }, 'tunnel directory entry check failed');
    } finally {
      this.#isChecking = false;
    }
  }

  /** Logs `tunnels.lost` (a warning), once for the entries of the refresh at `refreshedAt`. */
  private reportLoss(cause: LossCause, refreshAgeMs: number, refreshedAt: number): void {
    if (this.#reportedLossOf === refreshedAt) return;
    this.#reportedLossOf = refreshedAt;
    const store = this.store.location;
    const entryTtlMs = this.timings.entryTtlMs;
    const agents = this.#agents.size - this.#leaving.size; // agents in their unregister delay stay gone
    this.log.warn(
      { event: 'tunnels.lost', cause, store, agents, refreshAgeMs, entryTtlMs },
      cause === 'expired'
        ? `this replica's tunnel directory entries in ${store} expired: it last refreshed them ${refreshAgeMs} ms ago, longer than entryTtl (${entryTtlMs} ms), so the process was likely paused or starved of CPU, or could not reach ${store}; writing ${agents} again now`
        : `this replica's tunnel directory entries are gone from ${store} (emptied, restarted or failed over); writing ${agents} again now`,
    );
  }

  private async cleanUp(): Promise<void> {
    if (this.#state !== 'running' || !this.store.isAvailable()) return;
    try {
      const result = await this.store.cleanUp(this.replica.id);
      if (result.entries > 0) this.log.debug({ removed: result.entries }, 'expired tunnel entries removed');
    } catch (error) {
      this.log.warn({ err: error, store: this.store.location }, 'tunnel directory clean-up failed');
    }
  }

  private replicaInfo(): ReplicaInfo {
    return { id: this.replica.id, privateAddress: this.replica.privateAddress };
  }
}

/** Whole milliseconds since `at` (a `performance.now()` reading). */
function ageMs(at: number): number {
  return Math.round(performance.now() - at);
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
