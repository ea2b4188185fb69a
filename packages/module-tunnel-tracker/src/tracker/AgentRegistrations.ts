import type { TunnelRegistry } from '@kas/tunnel-protocol';
import type { Logger } from 'pino';
import type { ReplicaIdentity } from '../directory/TunnelDirectory.js';
import type { TrackerTimings } from './TrackerTimings.js';
import type { TunnelStore } from './TunnelStore.js';
import type { WriteFailureReporter } from './WriteFailureReporter.js';

/**
 * The agents that hold tunnels on this replica, and which of them the store holds an entry for. Follows
 * the local registry's events: an agent's first tunnel registers it, its last one unregisters it after
 * `unregisterDelay` (a tunnel coming back meanwhile cancels that, so churn does not flap the store). An
 * agent in its unregister delay is renewed while its entry is there, never written back once it is gone.
 */
export class AgentRegistrations {
  /** Agents with tunnels here, including those whose unregister delay is running. */
  readonly #agents = new Set<string>();
  /** Agents whose last tunnel went, with the timer that unregisters them. */
  readonly #leaving = new Map<string, NodeJS.Timeout>();
  /** Agents whose last write to the store succeeded. */
  #registered = new Set<string>();

  constructor(
    private readonly store: TunnelStore,
    private readonly registry: TunnelRegistry,
    private readonly replica: ReplicaIdentity,
    private readonly timings: TrackerTimings,
    private readonly log: Logger,
    /** Registrations and unregistrations happen only while the tracker runs. */
    private readonly isRunning: () => boolean,
    /** Failed writes: one warning per refusal, however many agents come and go meanwhile. */
    private readonly writeFailures: WriteFailureReporter,
  ) {}

  /** Agents with tunnels here, as the registry reported them (advertised or waiting for the store). */
  get connectedCount(): number {
    return this.#agents.size;
  }

  /** Agents this replica currently advertises: the last write for them succeeded. */
  get registeredCount(): number {
    return this.#registered.size;
  }

  /** Agents with tunnels here and not in their unregister delay: what is written again after a loss. */
  get stayingCount(): number {
    return this.#agents.size - this.#leaving.size;
  }

  /** Takes the agents the registry holds now and begins following its events. */
  follow(): void {
    this.registry.on('agentConnected', this.onAgentConnected);
    this.registry.on('agentDisconnected', this.onAgentDisconnected);
    for (const agentId of this.registry.connectedAgents()) this.#agents.add(agentId);
  }

  /** Stops following the registry and cancels every pending unregister. */
  unfollow(): void {
    this.registry.off('agentConnected', this.onAgentConnected);
    this.registry.off('agentDisconnected', this.onAgentDisconnected);
    for (const timer of this.#leaving.values()) clearTimeout(timer);
    this.#leaving.clear();
  }

  /** This replica's entries are gone from the store (lost or withdrawn): none is advertised until written again. */
  forgetRegistered(): void {
    this.#registered.clear();
  }

  /** The agents a sync writes: all but those in their unregister delay whose entry is gone. */
  toSync(): string[] {
    return [...this.#agents].filter(
      (agentId) => !this.#leaving.has(agentId) || this.#registered.has(agentId),
    );
  }

  /** A sync of `agents` succeeded: the store holds exactly those that still have tunnels here. */
  synced(agents: readonly string[]): void {
    this.#registered = new Set(agents.filter((agentId) => this.#agents.has(agentId)));
  }

  private readonly onAgentConnected = (agentId: string): void => {
    if (!this.isRunning()) return;
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
      this.store.register(
        { id: this.replica.id, privateAddress: this.replica.privateAddress },
        agentId,
        this.timings.entryTtlMs,
      ),
    );
  };

  private readonly onAgentDisconnected = (agentId: string): void => {
    if (!this.isRunning() || !this.#agents.has(agentId) || this.#leaving.has(agentId)) return;
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
      this.writeFailures.succeeded(operation);
      if (operation === 'unregister') this.#registered.delete(agentId);
      else if (this.#agents.has(agentId)) this.#registered.add(agentId);
    } catch (error) {
      this.writeFailures.failed(operation, error, { agentId }); // the next refresh corrects it
    }
  }
}
