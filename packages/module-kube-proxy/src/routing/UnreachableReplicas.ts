import type { ReplicaInfo } from '@kas/module-tunnel-tracker';
import type { Logger } from 'pino';

/**
 * How long a replica that could not be reached is passed over for another replica that holds the same
 * agent. A replica that died without stopping (a lost node, SIGKILL, a frozen process) leaves its
 * directory entries behind until they expire (the tracker's `entryTtl`, 60 s by default); without this,
 * every request that picked it would wait out `privateApiConnectTimeout` again.
 */
export const UNREACHABLE_REPLICA_MS = 60_000;

interface Failure {
  readonly at: number;
  /** How the last try failed, for requests that wait while another one tries it again. */
  readonly error: unknown;
}

/**
 * The replicas (by id and address) this kube proxy recently failed to reach through the private API,
 * shared by all its requests. A route picks a replica not in it when the directory names one; one that
 * is in it is still tried when no other replica holds the agent (it may be back: a restart on the same
 * address), and leaves it as soon as it answers.
 */
export class UnreachableReplicas {
  readonly #failures = new Map<string, Failure>();
  readonly #probing = new Set<string>();

  constructor(
    private readonly log: Logger,
    private readonly forMs = UNREACHABLE_REPLICA_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The private API of `replica` could not be reached, refused this replica (a wrong secret, another
   * kas version), or lost the connection before an answer came.
   */
  failed(replica: ReplicaInfo, reason: string, error?: unknown): void {
    const now = this.now();
    this.#prune(now);
    const key = keyOf(replica);
    const isNew = !this.#failures.has(key);
    this.#failures.set(key, { at: now, error });
    if (!isNew) return;
    this.log.warn(
      {
        event: 'replica.failing',
        replicaId: replica.id,
        address: replica.privateAddress,
        reason,
        forMs: this.forMs,
      },
      `forwarding to replica "${replica.id}" failed; for ${Math.round(this.forMs / 1000)} s requests go to another replica holding the same agent when there is one, and to it only when none is`,
    );
  }

  /** `replica` answered: it is reachable again. */
  answered(replica: ReplicaInfo): void {
    const key = keyOf(replica);
    if (!this.#failures.delete(key)) return;
    this.log.info(
      { event: 'replica.recovered', replicaId: replica.id, address: replica.privateAddress },
      `replica "${replica.id}" answered a forwarded request again`,
    );
  }

  /** True while `replica` failed within the last `forMs` and has not answered since. */
  has(replica: ReplicaInfo): boolean {
    const failure = this.#failures.get(keyOf(replica));
    return failure !== undefined && this.now() - failure.at < this.forMs;
  }

  /**
   * A request tries `replica` while it is passed over (no other replica holds the agent): one at a time,
   * so that the others wait for the agent to come back anywhere instead of queueing behind a connection
   * that may take `privateApiConnectTimeout` to fail. Returns the end of the try.
   */
  probe(replica: ReplicaInfo): () => void {
    const key = keyOf(replica);
    this.#probing.add(key);
    return () => this.#probing.delete(key);
  }

  /** True while `replica` is passed over and a request is trying it. */
  isProbed(replica: ReplicaInfo): boolean {
    return this.#probing.has(keyOf(replica)) && this.has(replica);
  }

  /** How the last try of `replica` failed, while it is passed over. */
  lastError(replica: ReplicaInfo): unknown {
    return this.has(replica) ? this.#failures.get(keyOf(replica))?.error : undefined;
  }

  /** How many replicas are passed over now. */
  get size(): number {
    this.#prune(this.now());
    return this.#failures.size;
  }

  #prune(now: number): void {
    for (const [key, failure] of this.#failures) {
      if (now - failure.at >= this.forMs) this.#failures.delete(key);
    }
  }
}

// A replica id comes back at another address when its pod is replaced (a StatefulSet's names are kept):
// that new address has not failed.
function keyOf(replica: ReplicaInfo): string {
  return `${replica.id}\n${replica.privateAddress}`;
}
