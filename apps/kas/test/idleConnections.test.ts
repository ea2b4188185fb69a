import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { type KasProcess, startKasProcess } from './support/startKasProcess.js';

/** The HTTP/2 client preface and an empty SETTINGS frame: a session begins, and then says nothing more. */
const HTTP2_PREFACE = Buffer.concat([
  Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'),
  Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]),
]);

interface QuietPeer {
  readonly what: string;
  readonly socket: Socket;
  readonly closed: Promise<void>;
}

async function quietPeer(
  what: string,
  socket: Socket,
  ready: 'connect' | 'secureConnect',
): Promise<QuietPeer> {
  socket.on('error', () => {}); // kas ends these connections: that is the point
  socket.on('data', () => {}); // read what kas sends (a GOAWAY), answer nothing
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once(ready, () => resolve());
    socket.once('error', reject);
  });
  return { what, socket, closed };
}

describe('kas stopping with connections that carry no request', () => {
  let kas: KasProcess | undefined;
  afterEach(async () => {
    await kas?.stop();
    kas = undefined;
  });

  it('idle TCP connections on every port, a TLS handshake never begun, a TLS connection that sent no request and HTTP/2 sessions that never open a call do not hold the stop: kas stops clean, no drain cut', async () => {
    // Budgets long enough that a stop held by any of these connections would be cut, and say so.
    kas = await startKasProcess({
      config: {
        agentGrpc: { drainBudget: '40s' },
        kubeProxy: { listenGrace: '300ms', drainBudget: '30s' },
        privateApi: { drainBudget: '30s' },
      },
    });
    const { ports } = kas;
    const tcp = (port: number) => connectTcp(port, '127.0.0.1');
    const peers = await Promise.all([
      quietPeer('agent port: idle TCP', tcp(ports.agentGrpc), 'connect'),
      quietPeer('kube proxy port: idle TCP, no TLS hello', tcp(ports.kubeProxy), 'connect'),
      quietPeer('private API port: idle TCP', tcp(ports.privateApi), 'connect'),
      quietPeer('observability port: idle TCP', tcp(ports.observability), 'connect'),
      quietPeer(
        'kube proxy port: TLS handshake done, no request',
        connectTls({ port: ports.kubeProxy, host: '127.0.0.1', ca: kas.caPem, servername: 'localhost' }),
        'secureConnect',
      ),
    ]);
    for (const [what, port] of [
      ['agent port: HTTP/2 session that never opens a call', ports.agentGrpc],
      ['private API port: HTTP/2 session that never opens a call', ports.privateApi],
    ] as const) {
      const peer = await quietPeer(what, tcp(port), 'connect');
      peer.socket.write(HTTP2_PREFACE);
      peers.push(peer);
    }

    kas.process.signal('SIGTERM');
    const exit = await kas.process.exited;
    const stopped = kas.process.logs().find((log) => log.event === 'app.stopped');
    expect(stopped).toMatchObject({ status: 'clean', cut: [] });
    expect(exit).toEqual({ code: 0, signal: null });
    await Promise.all(peers.map((peer) => peer.closed));
    expect(kas.process.logs().find((log) => log.event === 'goaway.sent')).toMatchObject({ quietClosed: 2 });
    expect(kas.process.logs().find((log) => log.event === 'privateApi.stopping')).toMatchObject({
      quietClosed: 2,
    });
    expect(kas.process.logs().find((log) => log.event === 'kubeProxy.listenerClosed')).toMatchObject({
      idleClosed: 2,
    });
  }, 60_000);
});
