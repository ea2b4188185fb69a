import type { ReplicaInfo, TunnelDirectory } from '@kas/module-tunnel-tracker';

/**
 * The tunnel directory with concurrent look-ups for one agent merged into one: a burst of requests for
 * the same agent asks Redis once, and every request gets that answer.
 */
export class CoalescedDirectory {
  readonly #pending = new Map<string, Promise<readonly ReplicaInfo[]>>();

  constructor(private readonly directory: TunnelDirectory) {}

  /** The other replicas holding tunnels for `agentId` (see `TunnelDirectory.findReplicas`). */
  findReplicas(agentId: string): Promise<readonly ReplicaInfo[]> {
    let pending = this.#pending.get(agentId);
    if (pending === undefined) {
      pending = this.directory.findReplicas(agentId).finally(() => this.#pending.delete(agentId));
      this.#pending.set(agentId, pending);
    }
    return pending;
  }
}
