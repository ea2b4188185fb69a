import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LifecycleEvent } from '@kas/core';
import type { LifecycleSnapshot } from '@kas/core/snapshot';
import { readLifecycleViewAsset } from '../../src/index.js';

/** One request for the event stream, answered as the test says. */
export interface EventsRequest {
  /** Answers like kas's stream: `retry: 1000`, then `event: snapshot`. */
  open(snapshot: LifecycleSnapshot): void;
  /** Sends `event: lifecycle` (after `open`). */
  send(event: LifecycleEvent): void;
  /** Ends the stream as kas does after `app.stopped`. */
  end(): void;
  /** Breaks the connection off, as when the replica is killed: no end of the stream. */
  breakOff(): void;
  /** Answers with `status` and a text, as a listener that does not serve the stream. */
  answer(status: number, text: string): void;
}

/** A stand-in for kas's observability listener. */
export interface LifecycleServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The page, where kas serves it: `<url>/debug/lifecycle/ui/`. */
  readonly pageUrl: string;
  /** `<url>/debug/lifecycle/events` */
  readonly eventsUrl: string;
  /** How many requests for the stream came so far. */
  readonly eventsRequestCount: number;
  /** The next request for the stream, once it comes (each one is handed out once, in order). */
  nextEventsRequest(): Promise<EventsRequest>;
  /**
   * From now on breaks off every request for the stream as it comes, as a replica that is gone. (Chromium
   * sends a GET again when its connection closes before an answer: each try may come twice.)
   */
  breakOffStreams(): void;
  close(): Promise<void>;
}

const PAGE = '/debug/lifecycle/ui/';
const EVENTS = '/debug/lifecycle/events';

/**
 * Serves the page as kas does (`readLifecycleViewAsset` under `/debug/lifecycle/ui/`) and hands each
 * request for `/debug/lifecycle/events` to the test, which decides what it sends and when it ends: the
 * page reads recorded or made-up streams, and no replica runs.
 */
export async function startLifecycleServer(): Promise<LifecycleServer> {
  const waiting: ((request: EventsRequest) => void)[] = [];
  const arrived: EventsRequest[] = [];
  let eventsRequestCount = 0;
  let isBreakingOff = false;
  const responses = new Set<ServerResponse>();
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = request.url?.split('?')[0] ?? '/';
    if (path === EVENTS) {
      eventsRequestCount += 1;
      if (isBreakingOff) {
        request.socket.destroy();
        return;
      }
      responses.add(response);
      response.once('close', () => responses.delete(response));
      const events = eventsRequest(response);
      const taker = waiting.shift();
      if (taker === undefined) arrived.push(events);
      else taker(events);
    } else if (path.startsWith(PAGE)) {
      readLifecycleViewAsset(path.slice(PAGE.length)).then(
        (asset) => {
          if (asset === undefined)
            response.writeHead(404, { 'content-type': 'text/plain' }).end('no such file\n');
          else response.writeHead(200, { 'content-type': asset.contentType }).end(asset.body);
        },
        (error: unknown) =>
          response.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(error)}\n`),
      );
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    pageUrl: `${url}${PAGE}`,
    eventsUrl: `${url}${EVENTS}`,
    get eventsRequestCount() {
      return eventsRequestCount;
    },
    nextEventsRequest: () =>
      new Promise((resolve) => {
        const first = arrived.shift();
        if (first === undefined) waiting.push(resolve);
        else resolve(first);
      }),
    breakOffStreams() {
      isBreakingOff = true;
    },
    async close() {
      for (const response of responses) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function eventsRequest(response: ServerResponse): EventsRequest {
  const write = (name: string, data: unknown) =>
    response.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
  return {
    open(snapshot) {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      response.write('retry: 1000\n\n');
      write('snapshot', snapshot);
    },
    send: (event) => write('lifecycle', event),
    end: () => response.end(),
    breakOff: () => response.socket?.destroy(),
    answer: (status, text) => response.writeHead(status, { 'content-type': 'text/plain' }).end(`${text}\n`),
  };
}
