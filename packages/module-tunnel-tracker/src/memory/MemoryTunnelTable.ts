/** One replica's entry for an agent, as the in-memory table holds it. */
export interface MemoryTunnelEntry {
  readonly replicaId: string;
  readonly privateAddress: string;
  /** Epoch milliseconds (`Date.now()` scale). */
  readonly expiresAt: number;
}

/**
 * The in-memory counterpart of the Redis layout: per agent, one entry per replica with an expiry, plus
 * a per-replica index. One table serves a single replica (kas without Redis, the default of
 * `npm start`); replicas running in one process (tests, demos) may share one. Same semantics as Redis:
 * expired entries are skipped by look-ups and removed by clean-ups.
 */
export class MemoryTunnelTable {
  readonly #byAgent = new Map<string, Map<string, MemoryTunnelEntry>>();
  readonly #byReplica = new Map<string, Set<string>>();
  readonly #severed = new Set<string>();

  /** Writes (or renews) a replica's entry for an agent. */
  write(agentId: string, replicaId: string, privateAddress: string, ttlMs: number): void {
    let entries = this.#byAgent.get(agentId);
    if (entries === undefined) {
      entries = new Map();
      this.#byAgent.set(agentId, entries);
    }
    entries.set(replicaId, { replicaId, privateAddress, expiresAt: Date.now() + ttlMs });
    let agents = this.#byReplica.get(replicaId);
    if (agents === undefined) {
      agents = new Set();
      this.#byReplica.set(replicaId, agents);
    }
    agents.add(agentId);
  }

  /** Removes a replica's entry for an agent; true when there was one. */
  remove(agentId: string, replicaId: string): boolean {
    this.#byReplica.get(replicaId)?.delete(agentId);
    const entries = this.#byAgent.get(agentId);
    const existed = entries?.delete(replicaId) ?? false;
    if (entries?.size === 0) this.#byAgent.delete(agentId);
    return existed;
  }

  /** The agents a replica has entries for (expired ones included until a clean-up removes them). */
  agentsOf(replicaId: string): readonly string[] {
    return [...(this.#byReplica.get(replicaId) ?? [])];
  }

  /** Every stored entry for an agent, expired ones included: what a clean-up has not removed yet. */
  storedEntries(agentId: string): readonly MemoryTunnelEntry[] {
    return [...(this.#byAgent.get(agentId)?.values() ?? [])];
  }

  /** The unexpired entries for an agent. */
  liveEntries(agentId: string): readonly MemoryTunnelEntry[] {
    const now = Date.now();
    return this.storedEntries(agentId).filter((entry) => entry.expiresAt > now);
  }

  /** Removes every expired entry; returns how many. */
  removeExpired(): number {
    const now = Date.now();
    let removed = 0;
    for (const [agentId, entries] of this.#byAgent) {
      for (const entry of entries.values()) {
        if (entry.expiresAt <= now && this.remove(agentId, entry.replicaId)) removed += 1;
      }
    }
    return removed;
  }

  /**
   * Cuts a replica off the table as a crash cuts it off Redis: from now on its reads and writes fail
   * as "store unavailable", and its entries stay until they expire. For tests of a replica that dies
   * without stopping; a replica that really dies takes its table with it.
   */
  sever(replicaId: string): void {
    this.#severed.add(replicaId);
  }

  /** True when `sever(replicaId)` was called. */
  isSevered(replicaId: string): boolean {
    return this.#severed.has(replicaId);
  }
}
