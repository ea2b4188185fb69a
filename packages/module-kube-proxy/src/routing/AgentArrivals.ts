import type { ReplicaInfo } from '@kas/module-tunnel-tracker';
import type { TunnelRegistry } from '@kas/tunnel-protocol';
import type { Logger } from 'pino';
import type { CachedDirectory } from './CachedDirectory.js';

/** One request waiting for its agent; `wants` says whether a directory answer is of use to it. */
interface Waiter {
  readonly wants: (replicas: readonly ReplicaInfo[]) => boolean;
  readonly settle: (outcome: 'arrived' | 'timeout') => void;
}

/** The waiters of one agent and the poll they share. */
interface AgentWatch {
  readonly waiters: Set<Waiter>;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Waits, for requests whose agent has no tunnel anywhere right now, until it reconnects: to this replica
 * (the registry's `agentConnected`) or to another one (the tunnel directory, polled). Requests waiting for
 * the same agent share one poll, one look-up at a time, so a burst does not multiply Redis queries.
 */
export class AgentArrivals {
  readonly #watches = new Map<string, AgentWatch>();

  constructor(
    private readonly registry: TunnelRegistry,
    private readonly directory: CachedDirectory,
    private readonly pollIntervalMs: number,
    private readonly log: Logger,
  ) {
    registry.on('agentConnected', this.#onAgentConnected);
  }

  /**
   * Resolves `'arrived'` when the agent connected here or the directory names a replica `wants` accepts,
   * `'timeout'` at `deadline` (epoch ms); rejects with the reason of `signal`.
   */
  waitFor(
    agentId: string,
    deadline: number,
    signal: AbortSignal,
    wants: (replicas: readonly ReplicaInfo[]) => boolean,
  ): Promise<'arrived' | 'timeout'> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      let watch = this.#watches.get(agentId);
      if (watch === undefined) {
        watch = { waiters: new Set(), timer: undefined };
        this.#watches.set(agentId, watch);
        this.#schedulePoll(agentId, watch);
      }
      const ownWatch = watch;
      const finish = () => {
        clearTimeout(deadlineTimer);
        signal.removeEventListener('abort', onAbort);
        ownWatch.waiters.delete(waiter);
        if (ownWatch.waiters.size === 0 && this.#watches.get(agentId) === ownWatch) {
          clearTimeout(ownWatch.timer);
          this.#watches.delete(agentId);
        }
      };
      const waiter: Waiter = {
        wants,
        settle: (outcome) => {
          finish();
          resolve(outcome);
        },
      };
      const onAbort = () => {
        finish();
        reject(signal.reason);
      };
      const deadlineTimer = setTimeout(() => waiter.settle('timeout'), Math.max(0, deadline - Date.now()));
      signal.addEventListener('abort', onAbort, { once: true });
      ownWatch.waiters.add(waiter);
    });
  }

  /** Stops listening to the registry and ends every wait with `'timeout'`. */
  dispose(): void {
    this.registry.off('agentConnected', this.#onAgentConnected);
    for (const watch of [...this.#watches.values()]) {
      for (const waiter of [...watch.waiters]) waiter.settle('timeout');
    }
  }

  readonly #onAgentConnected = (agentId: string): void => {
    const watch = this.#watches.get(agentId);
    if (watch === undefined) return;
    for (const waiter of [...watch.waiters]) waiter.settle('arrived');
  };

  #schedulePoll(agentId: string, watch: AgentWatch): void {
    watch.timer = setTimeout(() => {
      this.directory.refresh(agentId).then(
        (replicas) => {
          for (const waiter of [...watch.waiters]) if (waiter.wants(replicas)) waiter.settle('arrived');
          this.#pollAgainIfWaiting(agentId, watch);
        },
        (error: unknown) => {
          this.log.debug(
            { event: 'directory.pollFailed', agentId, err: error },
            'tunnel directory look-up failed while waiting',
          );
          this.#pollAgainIfWaiting(agentId, watch);
        },
      );
    }, this.pollIntervalMs);
  }

  #pollAgainIfWaiting(agentId: string, watch: AgentWatch): void {
    if (watch.waiters.size > 0 && this.#watches.get(agentId) === watch) this.#schedulePoll(agentId, watch);
  }
}
