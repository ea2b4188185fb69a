import type { LifecycleContext } from '@kas/core';
import type { TunnelRegistry } from '@kas/tunnel-protocol';
import type { Logger } from 'pino';
import type { ReplicaIdentity } from '../directory/TunnelDirectory.js';
import { TunnelTrackerError } from '../errors/TunnelTrackerError.js';
import { AgentRegistrations } from './AgentRegistrations.js';
import { EntryRefresher } from './EntryRefresher.js';
import { EntryWithdrawal } from './EntryWithdrawal.js';
import type { TrackerTimings } from './TrackerTimings.js';
import type { TunnelStore } from './TunnelStore.js';
import type {
  TrackerCounters,
  TunnelTrackerMetrics,
  TunnelTrackerMetricsSource,
} from './TunnelTrackerMetrics.js';
import { WriteFailureReporter } from './WriteFailureReporter.js';

/** Where a tracker is in its life. Registrations and refreshes happen only while `running`. */
export type TrackerState = 'idle' | 'running' | 'withdrawing' | 'stopped';

/**
 * Advertises the agents that hold tunnels on this replica in the shared directory, from start to stop:
 * `AgentRegistrations` follows the local registry and writes each agent's entry, `EntryRefresher` keeps
 * all entries written (refresh, entry check, clean-up, `tunnels.lost`), and at stop `EntryWithdrawal`
 * removes them in one round trip per shard after new registrations are refused (look-ups, a separate
 * object, keep working).
 */
export class TunnelTracker implements TunnelTrackerMetricsSource {
  #state: TrackerState = 'idle';
  readonly #registrations: AgentRegistrations;
  readonly #refresher: EntryRefresher;
  readonly #withdrawal: EntryWithdrawal;

  constructor(
    private readonly store: TunnelStore,
    registry: TunnelRegistry,
    private readonly replica: ReplicaIdentity,
    private readonly timings: TrackerTimings,
    private readonly counters: TrackerCounters,
    log: Logger,
  ) {
    const isRunning = () => this.#state === 'running';
    const writeFailures = new WriteFailureReporter(store, log);
    this.#registrations = new AgentRegistrations(
      store,
      registry,
      replica,
      timings,
      log,
      isRunning,
      writeFailures,
    );
    this.#refresher = new EntryRefresher(
      store,
      replica,
      timings,
      this.#registrations,
      log,
      isRunning,
      writeFailures,
    );
    this.#withdrawal = new EntryWithdrawal(store, replica, timings, this.#registrations);
  }

  get state(): TrackerState {
    return this.#state;
  }

  snapshot(): TunnelTrackerMetrics {
    const lastWithdraw = this.#withdrawal.last;
    return {
      registeredAgents: this.#registrations.registeredCount,
      connectedAgents: this.#registrations.connectedCount,
      roundTrips: { ...this.counters.roundTrips },
      failedRoundTrips: { ...this.counters.failedRoundTrips },
      ...(lastWithdraw === undefined ? {} : { lastWithdraw }),
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
    this.#registrations.follow();
    this.#state = 'running';
    await this.#refresher.start();
    ctx.log.info(
      {
        event: 'tunnels.advertising',
        store: this.store.location,
        replicaId: id, // not `replica`: kas's logger already carries that key on every line
        agents: this.#registrations.connectedCount,
        ...this.timings,
      },
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
    this.#registrations.unfollow();
    this.#refresher.stop();
    try {
      await this.#withdrawal.run(ctx);
    } finally {
      this.#state = 'stopped';
    }
  }
}
