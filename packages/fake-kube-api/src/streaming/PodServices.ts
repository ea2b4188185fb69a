import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Bytes `/bytes` streams per write. */
const BYTES_CHUNK = Buffer.alloc(64 * 1024, 0x6b);

/**
 * The small service each fake pod runs, for `kubectl port-forward`: an HTTP server on 127.0.0.1 (a free
 * port, started on first use) that answers `GET /` with a greeting naming the pod, echoes the body of any
 * other method, and streams `GET /bytes?size=<n>` bytes (for throughput). Every pod port a client
 * forwards reaches it.
 */
export class PodServices {
  readonly #servers = new Map<string, Promise<{ server: Server; port: number }>>();

  /** The loopback port of the pod's service, started if needed. */
  async portOf(namespace: string, pod: string): Promise<number> {
    const key = `${namespace}/${pod}`;
    let started = this.#servers.get(key);
    if (started === undefined) {
      started = (async () => {
        const server = createServer((request, response) => serve(pod, request, response));
        server.listen(0, '127.0.0.1');
        await once(server, 'listening');
        return { server, port: (server.address() as AddressInfo).port };
      })();
      this.#servers.set(key, started);
    }
    return (await started).port;
  }

  /** Stops every pod's service. */
  async stopAll(): Promise<void> {
    const servers = [...this.#servers.values()];
    this.#servers.clear();
    await Promise.all(
      servers.map(async (started) => {
        const { server } = await started;
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }),
    );
  }
}

function serve(pod: string, request: IncomingMessage, response: ServerResponse): void {
  const url = new URL(request.url ?? '/', 'http://pod');
  if (request.method === 'GET' && url.pathname === '/bytes') {
    const size = Number(url.searchParams.get('size') ?? '0');
    if (!Number.isSafeInteger(size) || size < 0) {
      response.writeHead(400).end('size must be a whole number of bytes\n');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
    let left = size;
    const writeMore = (): void => {
      while (left > 0) {
        const piece = left >= BYTES_CHUNK.length ? BYTES_CHUNK : BYTES_CHUNK.subarray(0, left);
        left -= piece.length;
        if (!response.write(piece)) {
          response.once('drain', writeMore);
          return;
        }
      }
      response.end();
    };
    writeMore();
    return;
  }
  if (request.method === 'GET' || request.method === 'HEAD') {
    response.writeHead(200, { 'content-type': 'text/plain' }).end(`hello from ${pod}\n`);
    return;
  }
  response.writeHead(200, { 'content-type': request.headers['content-type'] ?? 'application/octet-stream' });
  request.pipe(response);
}
