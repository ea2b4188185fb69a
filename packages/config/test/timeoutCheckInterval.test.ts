import { describe, expect, it } from 'vitest';
import { timeoutCheckIntervalMs } from '../src/index.js';

describe('timeoutCheckIntervalMs', () => {
  it('checks every tenth of the shorter timeout, from 250 ms to 30 s, leaving out a request timeout of 0', () => {
    expect(timeoutCheckIntervalMs(60_000, 30_000)).toBe(3_000);
    expect(timeoutCheckIntervalMs(10_000, 0)).toBe(1_000);
    expect(timeoutCheckIntervalMs(1_000, 30_000)).toBe(250);
    expect(timeoutCheckIntervalMs(3_600_000, 0)).toBe(30_000);
  });
});
