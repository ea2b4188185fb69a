import { once } from 'node:events';
import { createServer, get, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { type App, createApp, defineModule } from '@kas/core';
import { eventually } from '@kas/testkit';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LifecycleFeed } from '../src/index.js';

/** A module that publishes a progress record of 20 KB every millisecond: a busy stop, many times over. */
function chattyModule() {
  let timer: NodeJS.Timeout | undefined;
  return defineModule({
    name: 'chatty',
    create: () => ({
      start: async (ctx) => {
        let count = 0;
        timer = setInterval(() => ctx.progress({ inFlight: count++, note: 'x'.repeat(20_000) }), 1);
      },
      stop: async () => clearInterval(timer),
    }),
  });
}

describe('the lifecycle feed holds what it buffers for viewers within bounds', () => {
  let app: App;
  let server: Server;
  let feed: LifecycleFeed;
  let url: string;
  const sockets: Socket[] = [];

  const serve = async (options: ConstructorParameters<typeof LifecycleFeed>[0]) => {
    feed = new LifecycleFeed(options);
    feed.connect(app);
    server = createServer((_request, response) => feed.openStream(response)).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    url = `http://127.0.0.1:${port}/debug/lifecycle/events`;
    return port;
  };

  beforeEach(async () => {
    app = createApp({ modules: [chattyModule()], logger: pino({ level: 'silent' }) });
    await app.start();
  });
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    feed.endStreams();
    server.closeAllConnections();
    server.close();
    await app.stop('test over');
  });

  it('cuts the stream of a viewer that stopped reading, while one that reads keeps its stream (a stalled viewer grew kas by 30 MB in 10 s)', async () => {
    const port = await serve({});
    const stalled = connect(port, '127.0.0.1');
    sockets.push(stalled);
    stalled.write('GET /debug/lifecycle/events HTTP/1.1\r\nHost: kas\r\n\r\n');
    stalled.pause();

    let received = 0;
    const reader = get(url, (response) => response.on('data', (chunk: Buffer) => (received += chunk.length)));
    await eventually(() => received > 4 * 1024 * 1024, { timeoutMs: 20_000 });
    // At most 1 MiB past the snapshot waited for the stalled viewer: its stream was cut, not kept.
    await eventually(() => feed.streamSockets().size === 1, { timeoutMs: 20_000 });
    stalled.resume();
    await once(stalled, 'close');
    reader.destroy();
  });

  it('answers a stream over maxStreams with 503 and Retry-After', async () => {
    await serve({ maxStreams: 1 });
    const first = await new Promise<import('node:http').IncomingMessage>((resolve) => get(url, resolve));
    const second = await new Promise<import('node:http').IncomingMessage>((resolve) => get(url, resolve));
    expect([first.statusCode, second.statusCode]).toEqual([200, 503]);
    expect(second.headers['retry-after']).toBe('5');
    second.resume();
    first.destroy();
  });
});
