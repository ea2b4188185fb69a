/** How many slots are taken, by key; a key with none taken is not kept. */
export class SlotCounts {
  readonly #counts = new Map<string, number>();

  /** Slots taken under `key`. */
  of(key: string): number {
    return this.#counts.get(key) ?? 0;
  }

  add(key: string): void {
    this.#counts.set(key, this.of(key) + 1);
  }

  remove(key: string): void {
    const count = this.of(key) - 1;
    if (count <= 0) this.#counts.delete(key);
    else this.#counts.set(key, count);
  }
}
