/**
 * One plain `node:http` reverse-proxy hop, in a process of its own: the reference the kas chain is
 * compared with. It listens on a free port of 127.0.0.1 and forwards every request to `argv[2]` (an
 * `http://host:port` URL) over keep-alive connections, streaming both bodies with `pipe` and dropping
 * hop-by-hop headers, as a careful minimal proxy does (with `stream.pipeline` in place of `pipe`, two
 * such hops served about half the requests/s in a check here: a reference that would flatter kas). With
 * `argv[3]` (a directory holding `tls.pem` and `tls-key.pem`) it serves HTTPS. Prints
 * `{"type":"ready","url":...}` once it listens.
 */
import { readFileSync } from 'node:fs';
import { Agent, createServer, type IncomingHttpHeaders, type RequestListener, request } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { HOP_BY_HOP_HEADERS as HOP_BY_HOP } from '@kas/tunnel-protocol';

const target = new URL(process.argv[2] as string);
const tlsDirectory = process.argv[3];
const agent = new Agent({ keepAlive: true });

function forwardable(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const kept: IncomingHttpHeaders = {};
  for (const name in headers) if (!HOP_BY_HOP.has(name)) kept[name] = headers[name];
  return kept;
}

const forward: RequestListener = (clientRequest, clientResponse) => {
  const upstreamRequest = request(
    {
      hostname: target.hostname,
      port: target.port,
      method: clientRequest.method,
      path: clientRequest.url,
      headers: forwardable(clientRequest.headers),
      agent,
    },
    (upstreamResponse) => {
      clientResponse.writeHead(upstreamResponse.statusCode ?? 502, forwardable(upstreamResponse.headers));
      upstreamResponse.pipe(clientResponse);
    },
  );
  upstreamRequest.on('error', () => {
    if (!clientResponse.headersSent) clientResponse.writeHead(502).end();
    else clientResponse.destroy();
  });
  clientResponse.once('close', () => {
    if (!clientResponse.writableFinished) upstreamRequest.destroy();
  });
  clientRequest.pipe(upstreamRequest);
};

const server =
  tlsDirectory === undefined
    ? createServer(forward)
    : createHttpsServer(
        {
          cert: readFileSync(`${tlsDirectory}/tls.pem`),
          key: readFileSync(`${tlsDirectory}/tls-key.pem`),
        },
        forward,
      );
server.listen(0, '127.0.0.1', () => {
  const url = `${tlsDirectory === undefined ? 'http' : 'https'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.stdout.write(`${JSON.stringify({ type: 'ready', url })}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  agent.destroy();
});
