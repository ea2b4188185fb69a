/**
 * Runs queued work one item per event-loop turn, in order, each key at most once while queued.
 *
 * Replacing tunnels after GOAWAY means opening a connection (a few milliseconds of CPU). One process
 * running many agents — agentk with several tokens, a test harness, a benchmark — would otherwise open
 * them back to back in one callback and read the other agents' GOAWAY frames only after all of that;
 * taking one per turn lets the poll phase between them read every connection that has something to say.
 */
export class TurnQueue<K> {
  readonly #queued = new Map<K, () => void>();
  #scheduled = false;

  /** Runs `work` on a later turn, unless `key` is already waiting (then only the first one runs). */
  push(key: K, work: () => void): void {
    if (this.#queued.has(key)) return;
    this.#queued.set(key, work);
    this.#schedule();
  }

  /** Forgets `key`'s waiting work, if any. */
  delete(key: K): void {
    this.#queued.delete(key);
  }

  #schedule(): void {
    if (this.#scheduled || this.#queued.size === 0) return;
    this.#scheduled = true;
    setImmediate(this.#runOne);
  }

  #runOne = (): void => {
    this.#scheduled = false;
    const next = this.#queued.entries().next();
    if (next.done === true) return;
    const [key, work] = next.value;
    this.#queued.delete(key);
    try {
      work();
    } finally {
      this.#schedule();
    }
  };
}
