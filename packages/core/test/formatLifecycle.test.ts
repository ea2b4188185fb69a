import { describe, expect, it } from 'vitest';
import { formatCut, formatMs, formatProgress } from '../src/snapshot/index.js';

describe('the words of the lifecycle views', () => {
  it('write durations from milliseconds to hours, keeping the seconds past an hour', () => {
    expect(formatMs(-5)).toBe('0 ms');
    expect(formatMs(340.4)).toBe('340 ms');
    expect(formatMs(12_340)).toBe('12.3 s');
    expect(formatMs(245_000)).toBe('4 m 05 s');
    expect(formatMs(3_600_000)).toBe('1 h 00 m 00 s');
    expect(formatMs(3_610_000)).toBe('1 h 00 m 10 s');
    expect(formatMs(3_730_999)).toBe('1 h 02 m 10 s');
  });

  it('write a progress record with its state first, durations by their Ms keys and fractions to one decimal', () => {
    expect(formatProgress({ state: 'draining', inFlight: 1, watches: 1 })).toBe(
      'draining · inFlight 1 · watches 1',
    );
    expect(formatProgress({ leftMs: 61_000, ratio: 0.333, tls: true })).toBe(
      'leftMs 1 m 01 s · ratio 0.3 · tls true',
    );
    expect(formatProgress({})).toBe('');
  });

  it('says why a stop was cut, and that the module ignores it once reported overdue', () => {
    expect(formatCut({})).toBe('');
    expect(formatCut({ cut: 'budget' })).toBe('cut (budget)');
    expect(formatCut({ cut: 'signal', overdueAt: 2_050 })).toBe('cut (signal), ignores it');
  });
});
