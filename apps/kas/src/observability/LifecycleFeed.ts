import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { App, LifecycleEvent } from '@kas/core';
import type { LifecycleSnapshot } from '@kas/core/snapshot';

/** Options of `LifecycleFeed`. */
export interface LifecycleFeedOptions {
  /** How often an open stream gets a comment line, so proxies and browsers keep it open. Default 15 s. */
  readonly heartbeatMs?: number;
}

/**
 * The app's lifecycle for live viewers: its snapshot, and Server-Sent Events streams that send the
 * snapshot first and then every lifecycle event and progress record as it happens. A stream subscribes
 * to the app only while it is open, so progress records cost nothing while nobody watches. Streams end
 * right after `app.stopped` (a viewer sees the whole stop), or at once with `endStreams()`.
 */
export class LifecycleFeed {
  #app: App | undefined;
  readonly #streams = new Map<ServerResponse, () => void>();
  readonly #heartbeatMs: number;

  constructor(options: LifecycleFeedOptions = {}) {
    this.#heartbeatMs = options.heartbeatMs ?? 15_000;
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
    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      'access-control-allow-origin': '*', // read-only and secret-free: the demo's page reads every replica
    });
    if (response.req.method === 'HEAD') {
      response.end(); // the head of a stream, not a stream
      return;
    }
    const send = (name: string, data: unknown) =>
      response.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
    response.write('retry: 1000\n\n'); // a browser reconnects within a second (a restarted replica)
    // The snapshot and the subscription in one synchronous step: no event falls between them.
    send('snapshot', app.snapshot());
    const unsubscribe = app.subscribe(
      (event: LifecycleEvent) => {
        send('lifecycle', event);
        if (event.type === 'app.stopped') end();
      },
      { withProgress: true },
    );
    const heartbeat = setInterval(() => response.write(': heartbeat\n\n'), this.#heartbeatMs);
    const end = () => {
      if (!this.#streams.has(response)) return;
      this.#streams.delete(response);
      clearInterval(heartbeat);
      unsubscribe();
      response.end();
    };
    this.#streams.set(response, end);
    response.once('close', end);
  }

  /** Ends every open stream now. */
  endStreams(): void {
    for (const end of [...this.#streams.values()]) end();
  }
}
