import { SlotCounts } from './SlotCounts.js';

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
  readonly #byAgent = new SlotCounts();
  readonly #byUser = new SlotCounts();
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
    if (this.#byAgent.of(agentId) >= this.maxPerAgent) return { scope: 'agent', limit: this.maxPerAgent };
    if (this.#byUser.of(user) >= this.maxPerUser) return { scope: 'user', limit: this.maxPerUser };
    this.#byAgent.add(agentId);
    this.#byUser.add(user);
    this.#open += 1;
    let isReleased = false;
    return () => {
      if (isReleased) return;
      isReleased = true;
      this.#open -= 1;
      this.#byAgent.remove(agentId);
      this.#byUser.remove(user);
    };
  }
}
