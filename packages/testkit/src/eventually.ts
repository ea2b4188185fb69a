import { scaledMs } from './timeoutScale.js';

/** Options of `eventually`. */
export interface EventuallyOptions {
  /** How long to keep trying, times `TIMEOUT_SCALE`. Default 10 s. */
  readonly timeoutMs?: number;
  /** The pause between tries. Default 10 ms. */
  readonly intervalMs?: number;
}

/**
 * Tries `check` until it holds — it returns anything but `false` and does not throw — and resolves
 * with what it returned. After `timeoutMs` it rethrows the last failure (an assertion's own message),
 * or throws an error quoting `check` when it only returned `false`. Use it to wait for something a
 * test cannot be told about, instead of sleeping for a guessed time.
 *
 * ```ts
 * await eventually(() => registry.tunnelCount() === 2);
 * await eventually(async () => expect(await redis.hgetall(key)).toEqual({}), { timeoutMs: 5_000 });
 * ```
 */
export async function eventually<T>(
  check: () => T | Promise<T>,
  { timeoutMs: unscaledMs = 10_000, intervalMs = 10 }: EventuallyOptions = {},
): Promise<Exclude<T, false>> {
  const timeoutMs = scaledMs(unscaledMs);
  const giveUpAt = Date.now() + timeoutMs;
  for (;;) {
    let failure: unknown;
    try {
      const result = await check();
      if (result !== false) return result as Exclude<T, false>;
      failure = new Error(`condition not met within ${timeoutMs} ms: ${check}`);
    } catch (error) {
      failure = error;
    }
    if (Date.now() >= giveUpAt) throw failure;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
