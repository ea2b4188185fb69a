import { SlotCounts } from './SlotCounts.js';

/**
 * Counts the long-running requests (watches, followed logs) each user has in flight to each agent through
 * this replica, and refuses one over the limit. Each holds one of the agent's tunnels for as long as it
 * runs: without a limit, one user's informers could take every tunnel of an agent, and every other
 * user's requests to it would wait the tunnel wait and fail.
 */
export class LongRunningLimit {
  readonly #byUserAndAgent = new SlotCounts();

  constructor(
    /** The most requests one user may have in flight to one agent. */
    readonly maxPerUser: number,
  ) {}

  /** Takes a slot for `user` on `agentId`: the function that gives it back (once), or `undefined` at the limit. */
  take(user: string, agentId: string): (() => void) | undefined {
    const key = JSON.stringify([user, agentId]);
    if (this.#byUserAndAgent.of(key) >= this.maxPerUser) return undefined;
    this.#byUserAndAgent.add(key);
    let isReleased = false;
    return () => {
      if (isReleased) return;
      isReleased = true;
      this.#byUserAndAgent.remove(key);
    };
  }
}
