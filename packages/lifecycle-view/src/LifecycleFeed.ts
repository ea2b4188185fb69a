import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { App, LifecycleEvent } from '@kas/core';
import type { LifecycleSnapshot } from '@kas/core/snapshot';

/** Options of `LifecycleFeed` (and of `createLifecycleDebug`, which makes one). */
export interface LifecycleFeedOptions {
  /** How often an open stream gets a comment line, so proxies and browsers keep it open. Default 15 s. */
  readonly heartbeatMs?: number;
  /**
   * How many bytes may wait for a viewer that reads slower than the app writes; past it, its stream is
   * cut (its page reconnects within a second and starts again from a snapshot). Default 1 MiB.
   */
  readonly maxBufferedBytes?: number;
  /** How many streams may be open at once; one more is answered `503` with `Retry-After`. Default 64. */
  readonly maxStreams?: number;
}

/**
 * The app's lifecycle for live viewers: its snapshot, and Server-Sent Events streams that send the
 * snapshot first and then every lifecycle event and progress record as it happens. A stream subscribes
 * to the app only while it is open, so progress records cost nothing while nobody watches. Streams end
 * right after `app.stopped` (a viewer sees the whole stop), or at once with `endStreams()`. What the feed
 * holds is bounded: a viewer that does not keep up is cut (a stalled one grew kas by 30 MB in 10 s of a
 * busy stop, and would have grown it for the whole drain), and the number of streams is capped.
 * `serveLifecycleDebug` answers the endpoints from it; `createLifecycleDebug` does both for one app.
 */
export class LifecycleFeed {
  #app: App | undefined;
  readonly #streams = new Map<ServerResponse, () => void>();
  readonly #heartbeatMs: number;
  readonly #maxBufferedBytes: number;
  readonly #maxStreams: number;

  constructor(options: LifecycleFeedOptions = {}) {
    this.#heartbeatMs = options.heartbeatMs ?? 15_000;
    this.#maxBufferedBytes = options.maxBufferedBytes ?? 1024 * 1024;
    this.#maxStreams = options.maxStreams ?? 64;
  }

  /** Reads the app's snapshot and events from now on. */
  connect(app: App): void {
    this.#app = app;
  }

  /** The app's snapshot now, or undefined before `connect`. */
  snapshot(): LifecycleSnapshot | undefined {
    return this.#app?.snapshot();
  }

  /** The sockets of the open streams: a listener's stop waits for its other connections only. */
  streamSockets(): ReadonlySet<Socket> {
    return new Set(
      [...this.#streams.keys()].flatMap((response) => (response.socket === null ? [] : [response.socket])),
    );
  }

  /**
   * Serves one stream on `response` (`text/event-stream`): `snapshot`, then `lifecycle` events; to a HEAD
   * request, only the stream's head.
   */
  openStream(response: ServerResponse): void {
    const app = this.#app;
    if (app === undefined) {
      response.writeHead(503, { 'content-type': 'text/plain' }).end('the app is not connected yet\n');
      return;
    }
    if (this.#streams.size >= this.#maxStreams) {
      response
        .writeHead(503, { 'content-type': 'text/plain', 'retry-after': '5' })
        .end(
          `${this.#maxStreams} lifecycle streams are open, the most this listener serves at once: close one\n`,
        );
      return;
    }
    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      'access-control-allow-origin': '*', // read-only and secret-free: the demo's page reads every replica
    });
    if (response.req.method === 'HEAD') {
      response.end(); // the head of a stream, not a stream
      return;
    }
    let unsubscribe = () => {};
    let heartbeat: NodeJS.Timeout | undefined;
    const close = () => {
      if (!this.#streams.has(response)) return false;
      this.#streams.delete(response);
      clearInterval(heartbeat);
      unsubscribe();
      return true;
    };
    const end = () => {
      if (close()) response.end();
    };
    // Destroyed, not ended: ending would wait for the viewer to read what is buffered.
    const cut = () => {
      if (close()) response.destroy();
    };
    this.#streams.set(response, end);
    response.once('close', end);
    // `retry`: a browser reconnects within a second (a restarted replica, a cut stream).
    const head = `retry: 1000\n\nevent: snapshot\ndata: ${JSON.stringify(app.snapshot())}\n\n`;
    // The snapshot may be large (a plan of thousands of modules): what counts is what piles up after it.
    const allowance = Buffer.byteLength(head) + this.#maxBufferedBytes;
    const write = (text: string) => {
      response.write(text);
      // A viewer this far behind is not reading: its bytes would pile up here for as long as it stays.
      if (response.writableLength > allowance) cut();
    };
    // The snapshot and the subscription in one synchronous step: no event falls between them.
    write(head);
    unsubscribe = app.subscribe(
      (event: LifecycleEvent) => {
        write(`event: lifecycle\ndata: ${JSON.stringify(event)}\n\n`);
        if (event.type === 'app.stopped') end();
      },
      { withProgress: true },
    );
    heartbeat = setInterval(() => write(': heartbeat\n\n'), this.#heartbeatMs);
  }

  /** Ends every open stream now. */
  endStreams(): void {
    for (const end of [...this.#streams.values()]) end();
  }
}
