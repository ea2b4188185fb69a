import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeKubeApi, startFakeKubeApi } from '../../src/index.js';

/** Opens a raw connection and asks to switch it to SPDY/3.1 for `path`; resolves once the 101 is read. */
async function openSpdy(port: number, path: string, protocol: string): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await once(socket, 'connect');
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${protocol}\r\n\r\n`,
  );
  let head = '';
  while (!head.includes('\r\n\r\n')) {
    const [chunk] = (await once(socket, 'data')) as [Buffer];
    head += chunk.toString('latin1');
  }
  expect(head).toMatch(/^HTTP\/1\.1 101 /);
  return socket;
}

/** Resolves when the peer has ended its half of `socket` (its FIN came). */
function peerEnded(socket: Socket): Promise<void> {
  socket.resume();
  return new Promise((resolve) => {
    if (socket.readableEnded) resolve();
    else socket.once('end', () => resolve());
  });
}

// A client that is done half-closes its connection (an agent relays kubectl's close as exactly that). The
// fake used to close its SPDY session but never its socket: every such exec or port-forward left a
// connection in CLOSE_WAIT, with its session, for as long as the fake ran (a soak trial found 40 in 7 min).
describe.each([
  [
    'exec',
    '/api/v1/namespaces/default/pods/web-0/exec?command=cat&stdin=true&stdout=true',
    'v4.channel.k8s.io',
  ],
  ['port-forward', '/api/v1/namespaces/default/pods/web-0/portforward?ports=80', 'portforward.k8s.io'],
] as const)('a SPDY %s connection whose client half-closes it', (_kind, path, protocol) => {
  let api: FakeKubeApi;

  beforeAll(async () => {
    api = await startFakeKubeApi();
    api.objects.create('pods', {
      metadata: { name: 'web-0' },
      spec: { containers: [{ name: 'app', image: 'app:1' }] },
      status: { phase: 'Running' },
    });
  });
  afterAll(async () => {
    await api.stop();
  });

  it('is closed by the fake too, and no longer counted as open', async () => {
    const socket = await openSpdy(api.port, path, protocol);
    try {
      expect(api.openStreams).toBe(1);
      const ended = peerEnded(socket);
      socket.end();
      await ended;
      if (!socket.destroyed) await once(socket, 'close');
      expect(api.openStreams).toBe(0);
    } finally {
      socket.destroy();
    }
  });
});
