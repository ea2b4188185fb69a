import { describe, expect, it } from 'vitest';
import { TurnQueue } from '../src/agent/TurnQueue.js';

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('TurnQueue', () => {
  it('runs one item per event-loop turn, in order, letting I/O and timers run between them', async () => {
    const queue = new TurnQueue<string>();
    const ran: string[] = [];
    queue.push('a', () => ran.push('a'));
    queue.push('b', () => ran.push('b'));
    queue.push('c', () => ran.push('c'));
    expect(ran).toEqual([]);
    await turn();
    expect(ran).toEqual(['a']);
    await turn();
    expect(ran).toEqual(['a', 'b']);
    await turn();
    expect(ran).toEqual(['a', 'b', 'c']);
  });

  it('keeps the first work of a key that is already waiting, and forgets a deleted one', async () => {
    const queue = new TurnQueue<string>();
    const ran: string[] = [];
    queue.push('a', () => ran.push('a1'));
    queue.push('a', () => ran.push('a2'));
    queue.push('b', () => ran.push('b'));
    queue.delete('b');
    for (let i = 0; i < 3; i++) await turn();
    expect(ran).toEqual(['a1']);
    queue.push('a', () => ran.push('a3'));
    await turn();
    expect(ran).toEqual(['a1', 'a3']);
  });

  it('goes on with the next item when one throws', async () => {
    const queue = new TurnQueue<string>();
    const ran: string[] = [];
    const thrown: unknown[] = [];
    const onError = (error: unknown) => thrown.push(error);
    process.on('uncaughtException', onError);
    try {
      queue.push('a', () => {
        throw new Error('boom');
      });
      queue.push('b', () => ran.push('b'));
      for (let i = 0; i < 3; i++) await turn();
    } finally {
      process.off('uncaughtException', onError);
    }
    expect(ran).toEqual(['b']);
  });
});
