/**
 * The streaming answers in flight (watches, followed logs): each registers how to end it, so that the
 * server's stop ends them cleanly instead of leaving clients hanging.
 */
export class OpenStreams {
  readonly #ends = new Set<() => void>();

  /** Registers a stream; returns the call that forgets it (when it ended by itself). */
  add(end: () => void): () => void {
    this.#ends.add(end);
    return () => this.#ends.delete(end);
  }

  get size(): number {
    return this.#ends.size;
  }

  /** Ends every stream in flight. */
  endAll(): void {
    for (const end of [...this.#ends]) end();
    this.#ends.clear();
  }
}
