/** Stdin chunks as they arrive from a protocol, handed out one `read()` at a time. */
export class StdinQueue {
  readonly #chunks: (Buffer | null)[] = [];
  #waiter: ((chunk: Buffer | null) => void) | undefined;
  #isEnded = false;

  push(chunk: Buffer): void {
    if (this.#isEnded) return;
    this.#deliver(chunk);
  }

  end(): void {
    if (this.#isEnded) return;
    this.#isEnded = true;
    this.#deliver(null);
  }

  read(): Promise<Buffer | null> {
    const next = this.#chunks.shift();
    if (next !== undefined) return Promise.resolve(next);
    if (this.#isEnded) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.#waiter = resolve;
    });
  }

  #deliver(chunk: Buffer | null): void {
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      waiter(chunk);
    } else this.#chunks.push(chunk);
  }
}
