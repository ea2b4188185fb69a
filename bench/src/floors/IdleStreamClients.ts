import { ChildScript } from './ChildScript.js';
import type { IdleClientsCommand, IdleClientsReply } from './idleStreamMessages.js';

type Reply<T extends IdleClientsReply['type']> = Extract<IdleClientsReply, { type: T }>;

/** What to open: connections to a server, each with idle streams of one method. */
export type OpenIdleStreams = Omit<Extract<IdleClientsCommand, { type: 'open' }>, 'type' | 'firstMessage'> & {
  readonly firstMessage: Uint8Array;
};

/**
 * Idle gRPC streams held by a child process (`idleStreamClientsProcess.ts`), so that the server's process
 * holds only the server side. The same lean client serves a bare grpc-js server and kas: per connection a
 * channel with agentk's settings and its own connection, per stream one first message, then silence.
 */
export class IdleStreamClients {
  readonly #child = new ChildScript<IdleClientsCommand, IdleClientsReply>(
    new URL('./idleStreamClientsProcess.ts', import.meta.url),
  );

  /** The child process's pid (for its CPU time). */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Opens more connections (in batches) and resolves when every new stream is live. */
  async open(what: OpenIdleStreams, timeoutMs = 120_000): Promise<Reply<'opened'>> {
    return this.#child.request(
      { ...what, type: 'open', firstMessage: Buffer.from(what.firstMessage).toString('base64') },
      'opened',
      timeoutMs,
    );
  }

  /**
   * How far the child's wall clock is ahead of this process's (`performance.timeOrigin +
   * performance.now()` on both sides): from the ping with the shortest round trip of several, so the
   * error is at most half that round trip (returned too).
   */
  async clockOffset(): Promise<ClockOffset> {
    return measureClockOffset(
      async () => (await this.#child.request({ type: 'clock' }, 'clock', 60_000)).wallMs,
    );
  }

  /** The child's wall-clock times at which channels left READY, once all have (or at the timeout). */
  async awaitLeftReady(timeoutMs: number): Promise<Reply<'leftReady'>> {
    return this.#child.request({ type: 'awaitLeftReady', timeoutMs }, 'leftReady', timeoutMs + 5_000);
  }

  /** The child's wall-clock times at which replacement connections were live, once all were (or at the timeout). */
  async awaitReplaced(timeoutMs: number): Promise<Reply<'replaced'>> {
    return this.#child.request({ type: 'awaitReplaced', timeoutMs }, 'replaced', timeoutMs + 5_000);
  }

  /** Cancels every stream and closes every connection. */
  async closeAll(): Promise<void> {
    await this.#child.request({ type: 'closeAll' }, 'closed', 30_000);
  }

  /** Ends the child process. */
  stop(): Promise<void> {
    return this.#child.stop();
  }
}

/** How far another process's wall clock is ahead of this one's, and the most that can be off by. */
export interface ClockOffset {
  readonly offsetMs: number;
  readonly errorMs: number;
}

/**
 * Another process's clock offset from pings (`readClock` asks it for its `wallNow()`): the ping with the
 * shortest round trip of 20 wins, so the error is at most half that round trip.
 */
export async function measureClockOffset(readClock: () => Promise<number>): Promise<ClockOffset> {
  let best = { offsetMs: 0, errorMs: Number.POSITIVE_INFINITY };
  for (let ping = 0; ping < 20; ping++) {
    const sentAt = wallNow();
    const wallMs = await readClock();
    const errorMs = (wallNow() - sentAt) / 2;
    if (errorMs < best.errorMs) best = { offsetMs: wallMs - (sentAt + errorMs), errorMs };
  }
  return best;
}

/** This process's wall clock with sub-millisecond precision (`performance.timeOrigin + performance.now()`), comparable with a child's. */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}
