/** Why an upgraded connection was refused by the limits. */
export interface UpgradeRefusal {
  readonly scope: 'agent' | 'user';
  readonly limit: number;
}

/**
 * Counts the upgraded connections (exec, attach, port-forward) open through this replica, per agent and
 * per user, and refuses one over either limit. Each taken slot is given back once, by the function
 * `take` returns.
 */
export class UpgradeLimits {
  readonly #byAgent = new Map<string, number>();
  readonly #byUser = new Map<string, number>();
  #open = 0;

  constructor(
    private readonly maxPerAgent: number,
    private readonly maxPerUser: number,
  ) {}

  /** Upgraded connections open now. */
  get open(): number {
    return this.#open;
  }

  /** Takes a slot for `user` on `agentId`: the release function, or why there is none. */
  take(user: string, agentId: string): (() => void) | UpgradeRefusal {
    const agentCount = this.#byAgent.get(agentId) ?? 0;
    if (agentCount >= this.maxPerAgent) return { scope: 'agent', limit: this.maxPerAgent };
    const userCount = this.#byUser.get(user) ?? 0;
    if (userCount >= this.maxPerUser) return { scope: 'user', limit: this.maxPerUser };
    this.#byAgent.set(agentId, agentCount + 1);
    this.#byUser.set(user, userCount + 1);
    this.#open += 1;
    let isReleased = false;
    return () => {
      if (isReleased) return;
      isReleased = true;
      this.#open -= 1;
      decrement(this.#byAgent, agentId);
      decrement(this.#byUser, user);
    };
  }
}

function decrement(counts: Map<string, number>, key: string): void {
  const count = (counts.get(key) ?? 1) - 1;
  if (count === 0) counts.delete(key);
  else counts.set(key, count);
}
