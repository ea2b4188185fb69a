import { setTimeout as delay } from 'node:timers/promises';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { RateLimitedLog } from '../src/index.js';

/** A pino logger whose lines are kept as objects. */
function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'debug', base: undefined, timestamp: false },
    { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { logger, lines };
}

/** A log of denied requests that writes one line per interval, its lines kept as objects. */
function deniedRequestsLog(options: { intervalMs: number; now?: () => number }) {
  const { logger, lines } = capturedLogger();
  const log = new RateLimitedLog(logger, {
    level: 'info',
    summaryEvent: 'test.summary',
    what: 'denied requests',
    perInterval: 1,
    ...options,
  });
  return { log, lines };
}

describe('RateLimitedLog: lines a peer can cause at will, without flooding the log', () => {
  it('writes the first lines of an interval one by one, counts the rest by reason, and sums them up at the end of the interval', async () => {
    const { logger, lines } = capturedLogger();
    const log = new RateLimitedLog(logger, {
      level: 'warn',
      summaryEvent: 'test.refusedSummary',
      what: 'refused calls',
      perInterval: 3,
      intervalMs: 200,
    });
    for (let index = 0; index < 10; index++) {
      log.write(
        index % 2 === 0 ? 'bad token' : 'limit',
        { event: 'test.refused', index },
        `refused call ${index}`,
      );
    }
    expect(lines.map((line) => line.index)).toEqual([0, 1, 2]);
    expect(lines.every((line) => line.level === 40)).toBe(true);
    // Nothing more comes: the summary is written when the interval ends all the same.
    await expect.poll(() => lines.length, { timeout: 2_000 }).toBe(4);
    expect(lines[3]).toEqual({
      level: 40,
      event: 'test.refusedSummary',
      count: 7,
      byReason: { limit: 4, 'bad token': 3 },
      msg: '7 more refused calls not logged one by one (at most 3 per 0.2s are): 4 × limit, 3 × bad token',
    });
    // The next interval begins with lines of their own again.
    log.write('limit', { event: 'test.refused', index: 10 }, 'refused call 10');
    expect(lines.at(-1)).toMatchObject({ index: 10 });
  });

  it('opens a new interval when the summary is written, though its clock says the interval is not over (a busy loop: was, the next line was counted for a summary one interval later)', async () => {
    // The clock stands still: the timer fires while, by the clock, the interval has not ended.
    const { log, lines } = deniedRequestsLog({ intervalMs: 50, now: () => 1_000 });
    log.write('401', { event: 'test.denied', index: 0 }, 'denied');
    log.write('401', { event: 'test.denied', index: 1 }, 'denied');
    await expect.poll(() => lines.length, { timeout: 2_000 }).toBe(2);
    log.write('401', { event: 'test.denied', index: 2 }, 'denied');
    expect(lines.map((line) => [line.event, line.index ?? line.count])).toEqual([
      ['test.denied', 0],
      ['test.summary', 1],
      ['test.denied', 2],
    ]);
  });

  it('writes its summary at flush (the listener stops) and not again at the interval end', async () => {
    const { log, lines } = deniedRequestsLog({ intervalMs: 100 });
    log.write('401', { event: 'test.denied' }, 'denied');
    log.write('401', { event: 'test.denied' }, 'denied');
    log.flush();
    expect(lines.map((line) => [line.event, line.count, line.level])).toEqual([
      ['test.denied', undefined, 30],
      ['test.summary', 1, 30],
    ]);
    await delay(250);
    expect(lines).toHaveLength(2);
    log.flush(); // nothing counted: no line
    expect(lines).toHaveLength(2);
  });
});
