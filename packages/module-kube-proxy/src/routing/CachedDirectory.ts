import type { ReplicaInfo, TunnelDirectory } from '@kas/module-tunnel-tracker';

/** The agents whose answers are kept at most; the longest kept go first beyond it. */
const MAX_KEPT_AGENTS = 10_000;

/**
 * The tunnel directory as the kube proxy asks it: concurrent look-ups for one agent merged into one (a
 * burst of requests asks Redis once), and an answer that names replicas kept for `keepMs`, so a busy
 * agent's requests do not each ask Redis. A kept answer may be stale: a route that fails `forget`s it,
 * and the request asks again. Answers that name no replica are not kept (the request waits and polls).
 */
export class CachedDirectory {
  readonly #pending = new Map<string, Promise<readonly ReplicaInfo[]>>();
  readonly #kept = new Map<string, { readonly replicas: readonly ReplicaInfo[]; readonly untilMs: number }>();

  constructor(
    private readonly directory: TunnelDirectory,
    private readonly keepMs: number,
  ) {}

  /** The other replicas holding tunnels for `agentId` (see `TunnelDirectory.findReplicas`): kept, or asked. */
  findReplicas(agentId: string): Promise<readonly ReplicaInfo[]> {
    const kept = this.#kept.get(agentId);
    if (kept !== undefined) {
      if (kept.untilMs > Date.now()) return Promise.resolve(kept.replicas);
      this.#kept.delete(agentId);
    }
    return this.refresh(agentId);
  }

  /** Asks the directory (merged with a look-up already on its way), and keeps the answer. */
  refresh(agentId: string): Promise<readonly ReplicaInfo[]> {
    let pending = this.#pending.get(agentId);
    if (pending === undefined) {
      pending = this.directory.findReplicas(agentId).then(
        (replicas) => {
          this.#pending.delete(agentId);
          this.#keep(agentId, replicas);
          return replicas;
        },
        (error: unknown) => {
          this.#pending.delete(agentId);
          throw error;
        },
      );
      this.#pending.set(agentId, pending);
    }
    return pending;
  }

  /** Drops the kept answer for `agentId`: a replica it named no longer served the agent. */
  forget(agentId: string): void {
    this.#kept.delete(agentId);
  }

  #keep(agentId: string, replicas: readonly ReplicaInfo[]): void {
    this.#kept.delete(agentId);
    if (replicas.length === 0 || this.keepMs <= 0) return;
    this.#kept.set(agentId, { replicas, untilMs: Date.now() + this.keepMs });
    if (this.#kept.size > MAX_KEPT_AGENTS) {
      const oldest = this.#kept.keys().next();
      if (oldest.done !== true) this.#kept.delete(oldest.value);
    }
  }
}
