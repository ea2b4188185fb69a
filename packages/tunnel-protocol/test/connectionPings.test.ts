import { once } from 'node:events';
import { type ClientHttp2Session, connect as connectHttp2 } from 'node:http2';
import { type AddressInfo, connect, createServer, type Server as NetServer, type Socket } from 'node:net';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConnectionPings } from '../src/index.js';

/**
 * A grpc-js server with pings attached, reached by a plain HTTP/2 client through a TCP relay that can stop
 * reading the server's bytes, as a paused (SIGSTOP) client process does: its connection stays open,
 * nothing comes back, and what was sent waits until it goes on.
 */
describe('ConnectionPings', () => {
  let server: Server;
  let relay: NetServer;
  let client: ClientHttp2Session;
  let pings: ConnectionPings;
  /** The relay's socket towards the server: the server's peer. */
  let towardsServer: Socket | undefined;
  const sockets = new Set<Socket>();

  beforeEach(async () => {
    server = new Server();
    pings = new ConnectionPings(300);
    const serverPort = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) =>
        error ? reject(error) : resolve(port),
      ),
    );
    expect(pings.attach(server)).toBe(true);
    relay = createServer((fromClient) => {
      const upstream = connect(serverPort, '127.0.0.1');
      towardsServer = upstream;
      for (const [from, to] of [
        [fromClient, upstream],
        [upstream, fromClient],
      ] as const) {
        sockets.add(from);
        from.pipe(to);
        from.on('error', () => to.destroy());
        from.on('close', () => to.destroy());
      }
    });
    relay.listen(0, '127.0.0.1');
    await once(relay, 'listening');
    client = connectHttp2(`http://127.0.0.1:${(relay.address() as AddressInfo).port}`);
    await once(client, 'remoteSettings');
  });

  afterEach(async () => {
    client.destroy();
    for (const socket of sockets) socket.destroy();
    relay.close();
    server.forceShutdown();
  });

  const peer = () => `127.0.0.1:${towardsServer?.localPort}`;

  it('finds a peer that answers, one that went silent, and one it cannot ask', async () => {
    expect(await pings.ping(peer())).toBe('answered');
    expect(await pings.ping('127.0.0.1:1')).toBe('unknown');

    towardsServer?.pause(); // the client, frozen
    // Pings asked at the same time share one.
    expect(await Promise.all([pings.ping(peer()), pings.ping(peer())])).toEqual(['silent', 'silent']);

    towardsServer?.resume();
    expect(await pings.ping(peer())).toBe('answered');

    // A connection closing (grpc-js's tryShutdown closes its sessions) cannot be asked any more.
    server.tryShutdown(() => {});
    expect(await pings.ping(peer())).toBe('unknown');
  });
});
