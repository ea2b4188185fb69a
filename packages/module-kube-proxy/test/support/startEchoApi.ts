import { once } from 'node:events';
import type { IncomingHttpHeaders } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { text } from 'node:stream/consumers';
import type { CertificateAndKey } from '@kas/dev-certificates';

/** A request the echo API received. */
export interface EchoedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly rawHeaders: readonly string[];
  readonly body: string;
}

/** An HTTPS upstream that shows what reached it: the stand-in for a Kubernetes API in header tests. */
export interface EchoApi {
  readonly url: string;
  readonly requests: EchoedRequest[];
  stop(): Promise<void>;
}

/**
 * Routes: `/break` answers a head and one chunk, then destroys its connection; `/hop` answers with
 * hop-by-hop headers; `/hang` never answers (until the client goes away); `/slow-head` sends its head
 * after 200 ms and ends its body 2 s later; `/status-999` answers status 999; everything else answers 200
 * with the request as JSON.
 */
export async function startEchoApi(tls: CertificateAndKey): Promise<EchoApi> {
  const requests: EchoedRequest[] = [];
  const server: Server = createServer(tls, async (request, response) => {
    const seen: EchoedRequest = {
      method: request.method ?? '',
      url: request.url ?? '',
      headers: request.headers,
      rawHeaders: request.rawHeaders,
      body: await text(request),
    };
    requests.push(seen);
    if (seen.url === '/break') {
      response.writeHead(200, { 'content-type': 'text/plain' });
      // Broken once the chunk is on its way (flushed to the socket), so the client has it before the cut.
      response.write('first chunk\n', () => response.destroy());
      return;
    }
    if (seen.url === '/hang') return;
    if (seen.url === '/status-999') {
      // Node writes any three-digit status; kas refuses to pass on one that is no final HTTP status.
      response.writeHead(999, { 'content-type': 'text/plain' }).end('not http');
      return;
    }
    if (seen.url === '/slow-head') {
      setTimeout(() => {
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.write('head came\n');
        setTimeout(() => response.end('body done\n'), 2_000);
      }, 200);
      return;
    }
    if (seen.url === '/hop') {
      response.writeHead(
        200,
        [
          ['content-type', 'text/plain'],
          ['x-answer', 'one'],
          ['x-answer', 'two'],
          ['connection', 'keep-alive, x-hop'],
          ['x-hop', 'must not reach the client'],
          ['keep-alive', 'timeout=5'],
        ].flat(),
      );
      response.end('hop');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(seen));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    stop: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
