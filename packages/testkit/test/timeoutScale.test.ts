import { describe, expect, it } from 'vitest';
import { readTimeoutScale } from '../src/index.js';

describe('the time-out scale', () => {
  it('is KAS_TEST_TIMEOUT_SCALE when set, whatever the load', () => {
    expect(readTimeoutScale('3', 0, 2)).toBe(3);
    expect(readTimeoutScale('1.5', 40, 2)).toBe(1.5);
    expect(readTimeoutScale('25', 0, 2)).toBe(25);
  });

  it('is the load per core when unset: 1 on an idle machine, 5 at a load of 10 on 2 cores, at most 10', () => {
    expect(readTimeoutScale(undefined, 0.3, 2)).toBe(1);
    expect(readTimeoutScale('', 10, 2)).toBe(5);
    expect(readTimeoutScale(undefined, 40, 2)).toBe(10);
  });

  it('refuses a value that is not a number of 1 or more, saying what to set', () => {
    for (const value of ['abc', '0.5', '-2', 'Infinity']) {
      expect(() => readTimeoutScale(value, 0, 2)).toThrow(
        `KAS_TEST_TIMEOUT_SCALE=${value} is not a number of 1 or more: set how many times longer`,
      );
    }
  });
});
