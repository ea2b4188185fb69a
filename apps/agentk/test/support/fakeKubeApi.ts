import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { text } from 'node:stream/consumers';

/** A request the fake Kubernetes API saw, and whether its client went away before the response ended. */
export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  /** As they came, repeated names included. */
  readonly rawHeaders: readonly string[];
  body?: string;
  wasClosedEarly: boolean;
}

/** A local HTTP server standing in for the Kubernetes API, with routes the tests drive. */
export interface FakeKubeApi {
  readonly url: string;
  readonly requests: SeenRequest[];
  /** Open `/watch` responses, in arrival order: tests write events into them. */
  readonly watches: ServerResponse[];
  /** Ends every held `/slow` response with `body`. */
  releaseSlow(body: string): void;
  close(): Promise<void>;
}

/** Size of the `/big` body. */
export const BIG_BODY_BYTES = 6 * 1024 * 1024 + 123;

/**
 * Routes: `/version` (JSON), `/big` (a chunked body of `BIG_BODY_BYTES`), `/watch` (chunked, held open;
 * events written by the test), `/slow` (held until `releaseSlow`), `POST /echo` (the body back).
 */
export async function startFakeKubeApi(): Promise<FakeKubeApi> {
  const requests: SeenRequest[] = [];
  const watches: ServerResponse[] = [];
  const slow: ServerResponse[] = [];
  const server: Server = createServer(async (request, response) => {
    const seen: SeenRequest = {
      method: request.method ?? '',
      url: request.url ?? '',
      headers: request.headers,
      rawHeaders: request.rawHeaders,
      wasClosedEarly: false,
    };
    requests.push(seen);
    response.on('close', () => {
      if (!response.writableFinished) seen.wasClosedEarly = true;
    });
    const path = (request.url ?? '').split('?')[0];
    if (path === '/version') {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"major":"1","minor":"32"}');
    } else if (path === '/big') {
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(64 * 1024, 'b');
      let left = BIG_BODY_BYTES;
      while (left > 0) {
        const piece = chunk.subarray(0, Math.min(left, chunk.length));
        left -= piece.length;
        if (!response.write(piece)) await once(response, 'drain');
      }
      response.end();
    } else if (path === '/watch') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.flushHeaders();
      watches.push(response);
    } else if (path === '/slow') {
      slow.push(response);
    } else if (path === '/echo') {
      seen.body = await text(request);
      response.writeHead(200, { 'content-type': 'text/plain' }).end(seen.body);
    } else {
      response.writeHead(404).end();
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    watches,
    releaseSlow: (body) => {
      for (const response of slow.splice(0)) response.writeHead(200).end(body);
    },
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
