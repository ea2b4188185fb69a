import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readLifecycleViewAsset } from '@kas/lifecycle-view';
import type { KasReplica } from '../cluster/KasReplica.js';

/**
 * `demo --web`: one page with every replica's live lifecycle side by side. It serves the lifecycle page
 * (`@kas/lifecycle-view`) at `/ui/`, and `/` sends the browser there with one `source` per replica: each
 * panel reads its replica's `/debug/lifecycle/events` directly, and reconnects when the replica restarts.
 */
export class LiveViewServer {
  #sources: readonly { readonly name: string; readonly url: string }[] = [];

  private constructor(
    private readonly server: Server,
    /** `http://127.0.0.1:<port>/` */
    readonly url: string,
  ) {}

  /** Listens on 127.0.0.1:`port` (0: a free port). */
  static async start(port: number): Promise<LiveViewServer> {
    let view: LiveViewServer | undefined;
    const server = createServer((request, response) => {
      const path = request.url?.split('?')[0] ?? '/';
      if (path === '/') {
        const sources = view === undefined ? [] : view.#sources;
        if (sources.length === 0) {
          response
            .writeHead(503, { 'content-type': 'text/plain' })
            .end('the cluster is starting: reload in a few seconds\n');
          return;
        }
        const query = new URLSearchParams(
          sources.map((source): [string, string] => ['source', `${source.name}=${source.url}`]),
        );
        response.writeHead(302, { location: `/ui/?${query}` }).end();
      } else if (path === '/ui') {
        response.writeHead(301, { location: '/ui/' }).end();
      } else if (path.startsWith('/ui/')) {
        readLifecycleViewAsset(path.slice('/ui/'.length)).then(
          (asset) => {
            if (asset === undefined)
              response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
            else response.writeHead(200, { 'content-type': asset.contentType }).end(asset.body);
          },
          (error: unknown) =>
            response.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(error)}\n`),
        );
      } else {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: open /\n');
      }
    });
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    view = new LiveViewServer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    return view;
  }

  /** Shows these replicas from now on (the page at `/` names them). */
  show(replicas: readonly KasReplica[]): void {
    this.#sources = replicas.map((replica) => ({
      name: replica.id,
      url: `http://127.0.0.1:${replica.ports.observability}/debug/lifecycle/events`,
    }));
  }

  /** Closes the server and every connection to it (open pages reconnect to nothing). */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
