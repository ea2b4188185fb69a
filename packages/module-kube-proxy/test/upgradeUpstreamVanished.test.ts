import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openCatSession, type RoutedPod, startRoutedPod } from './support/startPodReplica.js';

/**
 * A TCP relay between agentk and the Kubernetes API (the network between them) that a test can cut: each
 * side of each relayed connection gets a plain TCP end, as when the API server's process dies.
 */
interface CuttableRelay {
  readonly url: string;
  cut(): void;
  close(): Promise<void>;
}

async function startRelay(to: string): Promise<CuttableRelay> {
  const target = new URL(to);
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      socket.on('error', () => {});
      sockets.add(socket);
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the relay does not listen');
  return {
    url: `https://127.0.0.1:${address.port}`,
    cut() {
      // A TCP end only: no TLS close_notify, no WebSocket close frame.
      for (const socket of sockets) {
        socket.unpipe();
        socket.end();
      }
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe.each([
  ['a local tunnel', 'local'],
  ['a forwarding replica', 'remote'],
] as const)('an exec session whose Kubernetes API vanishes, over %s', (_title, route) => {
  let setup: RoutedPod | undefined;
  let relay: CuttableRelay | undefined;

  afterEach(async () => {
    await setup?.stop();
    await relay?.close();
  });

  it('tells kubectl that the API behind the agent closed the connection (was: a bare "close 1006 (abnormal closure)"), and logs it with a code', async () => {
    setup = await startRoutedPod(route, {}, async (cluster) => {
      relay = await startRelay(cluster.upstream.url);
      return { url: relay.url, ca: cluster.upstream.ca };
    });
    const session = await openCatSession(setup);

    relay?.cut();
    const exit = await session.exited;
    expect(exit.code).not.toBe(0);
    const printed = session.lines.map((line) => line.text).join('\n');
    expect(printed).toContain(
      'kas ended the connection: the Kubernetes API behind the agent closed the connection without ending the session: reconnect',
    );
    expect(printed).not.toContain('1006');
    expect(setup.entry.logs.lines.filter((line) => line.event === 'response.broken')).toEqual([
      expect.objectContaining({ level: 40, upgrade: 'websocket', code: 'KAS_UPGRADE_UPSTREAM_VANISHED' }),
    ]);
  });
});
