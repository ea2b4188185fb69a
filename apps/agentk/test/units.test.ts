import type { AgentMessage } from '@kas/tunnel-protocol';
import { describe, expect, it } from 'vitest';
import { Backoff, ResponseFrameWriter } from '../src/index.js';

describe('Backoff', () => {
  it('doubles from the initial delay up to the cap, each delay in the upper half of its step', () => {
    const lowest = new Backoff({ initialMs: 100, maxMs: 1_000 }, () => 0);
    expect([1, 2, 3, 4, 5, 6].map(() => lowest.next())).toEqual([50, 100, 200, 400, 500, 500]);
    const highest = new Backoff({ initialMs: 100, maxMs: 1_000 }, () => 1);
    expect([1, 2, 3, 4, 5].map(() => highest.next())).toEqual([100, 200, 400, 800, 1_000]);
    highest.reset();
    expect(highest.next()).toBe(100);
  });
});

describe('ResponseFrameWriter', () => {
  const head = { status: 200, headers: [] };

  it('folds head, the only body chunk and the end of one turn into one frame', () => {
    const written: AgentMessage[] = [];
    const writer = new ResponseFrameWriter(
      (message) => written.push(message) > 0,
      () => {},
    );
    writer.head(head);
    writer.body(Buffer.from('{}'));
    writer.end();
    expect(written).toEqual([{ head, body: Buffer.from('{}'), end: true, heartbeat: false }]);
  });

  it('writes a held head at the end of the turn, and keeps chunks apart and in order', async () => {
    const written: AgentMessage[] = [];
    const writer = new ResponseFrameWriter(
      (message) => written.push(message) > 0,
      () => {},
    );
    writer.head(head);
    expect(written).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(written).toEqual([{ head, body: new Uint8Array(0), end: false, heartbeat: false }]);
    writer.body(Buffer.from('a'));
    writer.body(Buffer.from('b'));
    writer.end();
    expect(written.slice(1)).toEqual([
      { head: undefined, body: Buffer.from('a'), end: false, heartbeat: false },
      { head: undefined, body: Buffer.from('b'), end: true, heartbeat: false },
    ]);
  });

  it('tells its owner when the stream is full', () => {
    let fullCount = 0;
    const writer = new ResponseFrameWriter(
      () => false,
      () => {
        fullCount += 1;
      },
    );
    writer.head(head);
    writer.error('UPSTREAM_ABORTED', 'reset');
    expect(fullCount).toBe(2);
  });
});
