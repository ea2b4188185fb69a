import type { LifecycleContext } from '@kas/core';
import { formatDuration } from '@kas/core';
import type { ReplicaIdentity } from '../directory/TunnelDirectory.js';
import type { AgentRegistrations } from './AgentRegistrations.js';
import type { TrackerTimings } from './TrackerTimings.js';
import type { TunnelStore } from './TunnelStore.js';
import type { WithdrawResult } from './TunnelTrackerMetrics.js';

/**
 * The withdraw at stop: removes every entry of this replica in one round trip per shard, bounded by the
 * stop's signal. When the store is unavailable or too slow, the entries are left to expire on their own
 * within `entryTtl`, and the stop says so.
 */
export class EntryWithdrawal {
  #last: WithdrawResult | undefined;

  constructor(
    private readonly store: TunnelStore,
    private readonly replica: ReplicaIdentity,
    private readonly timings: TrackerTimings,
    private readonly registrations: AgentRegistrations,
  ) {}

  /** What the withdraw did, once it has completed. */
  get last(): WithdrawResult | undefined {
    return this.#last;
  }

  /**
   * Withdraws this replica's entries and reports through `ctx` (progress, marks, log) whether they were
   * withdrawn or left to expire: a withdraw that failed or was cut by the signal is reported, not thrown.
   */
  async run(ctx: LifecycleContext): Promise<void> {
    const advertised = this.registrations.registeredCount;
    ctx.progress({ state: 'withdrawing', agents: advertised });
    const leftToExpire = (reason: string, error?: unknown) => {
      ctx.progress({ state: 'leftToExpire', agents: advertised, reason });
      ctx.log.warn(
        {
          event: 'tunnels.leftToExpire',
          err: error,
          store: this.store.location,
          agents: advertised,
          expireWithinMs: this.timings.entryTtlMs,
        },
        `could not withdraw this replica's tunnel entries (${reason}); they will expire on their own within ${formatDuration(this.timings.entryTtlMs)}`,
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
      this.#last = {
        agents: result.entries,
        roundTrips: result.roundTrips,
        durationMs: performance.now() - startedAt,
      };
      this.registrations.forgetRegistered();
      ctx.progress({ state: 'withdrawn', ...this.#last });
      ctx.mark('tunnels.withdrawn', { ...this.#last });
      ctx.log.info(
        { event: 'tunnels.withdrawn', store: this.store.location, ...this.#last },
        "withdrew this replica's tunnel entries",
      );
    } catch (error) {
      leftToExpire(ctx.signal.aborted ? 'drain budget ended' : 'store error', error);
    }
  }
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
