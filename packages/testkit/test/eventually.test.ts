import { describe, expect, it } from 'vitest';
import { eventually, scaledMs } from '../src/index.js';

describe('eventually', () => {
  it('resolves with what the check returned once it holds', async () => {
    let tries = 0;
    await expect(eventually(() => (++tries >= 3 ? 'ready' : false), { intervalMs: 1 })).resolves.toBe(
      'ready',
    );
    expect(tries).toBe(3);
  });

  it('retries a check that throws, and rethrows its last failure at the timeout', async () => {
    let tries = 0;
    const failing = eventually(
      () => {
        tries += 1;
        throw new Error(`not yet, try ${tries}`);
      },
      { timeoutMs: 200, intervalMs: 5 },
    );
    await expect(failing).rejects.toThrow(/^not yet, try \d+$/);
    expect(tries).toBeGreaterThan(1);
    await expect(failing).rejects.toThrow(`not yet, try ${tries}`);
  });

  it('names the condition that was never met', async () => {
    await expect(eventually(() => false, { timeoutMs: 20, intervalMs: 5 })).rejects.toThrow(
      `condition not met within ${scaledMs(20)} ms: () => false`,
    );
  });
});
