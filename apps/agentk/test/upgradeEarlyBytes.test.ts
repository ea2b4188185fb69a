import { EventEmitter, once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { eventually } from '@kas/testkit';
import type { AgentMessage, RequestHead } from '@kas/tunnel-protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  EARLY_BYTES_LIMIT,
  type ExchangeCall,
  type ExchangeOutcome,
  KubeApiUpstream,
  UpgradeExchange,
} from '../src/index.js';

/** A tunnel call that records what the exchange does to it. */
class RecordingCall extends EventEmitter implements ExchangeCall {
  readonly messages: AgentMessage[] = [];
  isPaused = false;
  write(message: AgentMessage): boolean {
    this.messages.push(message);
    return true;
  }
  pause(): void {
    this.isPaused = true;
  }
  resume(): void {
    this.isPaused = false;
  }
}

const EXEC: RequestHead = {
  method: 'GET',
  path: '/api/v1/namespaces/default/pods/p1/exec',
  query: 'command=cat&stdin=true',
  headers: [],
  upgrade: 'websocket',
};
const CHUNK = new Uint8Array(16 * 1024).fill(0x61);

describe('an upgrade whose client sends bytes before the API server switched', () => {
  let server: Server;
  let upstream: KubeApiUpstream;
  /** The API server's side of the held upgrade, and what reached it after the request head. */
  let held: { socket: Socket; received: number } | undefined;

  beforeEach(async () => {
    held = undefined;
    server = createServer((_request, response) => response.writeHead(404).end());
    server.on('upgrade', (_request, socket: Socket, head: Buffer) => {
      const seen = { socket, received: head.length };
      socket.on('data', (chunk: Buffer) => (seen.received += chunk.length));
      held = seen;
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    upstream = new KubeApiUpstream({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  });
  afterEach(async () => {
    held?.socket.destroy();
    upstream.close();
    server.closeAllConnections();
    server.close();
  });

  /** Feeds 16 KiB frames the way the tunnel does: only while the call is not paused. */
  function feedUntilPaused(call: RecordingCall, exchange: UpgradeExchange, mostFrames: number): number {
    let frames = 0;
    while (!call.isPaused && frames < mostFrames) {
      exchange.accept({ body: CHUNK, end: false });
      frames += 1;
    }
    return frames;
  }

  it('pauses the tunnel at 64 KiB instead of buffering without bound, and sends it all once switched (agentk grew to 2.9 GB)', async () => {
    const call = new RecordingCall();
    const outcomes: ExchangeOutcome[] = [];
    const exchange = new UpgradeExchange(call, upstream, EXEC, (outcome) => outcomes.push(outcome));
    const upgrade = await eventually(() => held ?? false);
    const frames = feedUntilPaused(call, exchange, 1024);
    expect(call.isPaused).toBe(true);
    expect(frames * CHUNK.length).toBe(EARLY_BYTES_LIMIT);
    expect(exchange.earlyBytes).toBe(EARLY_BYTES_LIMIT);
    upgrade.socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
    );
    await eventually(() => !call.isPaused);
    expect(exchange.earlyBytes).toBe(0);
    await eventually(() => upgrade.received === EARLY_BYTES_LIMIT);
    expect(call.messages[0]?.head?.status).toBe(101);
    expect(outcomes).toEqual([]);
  });

  it('drops the held bytes and reads on when the API server answers without switching', async () => {
    server.removeAllListeners('upgrade');
    server.on('upgrade', (_request, socket: Socket) => {
      held = { socket, received: 0 };
    });
    const call = new RecordingCall();
    const outcomes: ExchangeOutcome[] = [];
    const exchange = new UpgradeExchange(call, upstream, EXEC, (outcome) => outcomes.push(outcome));
    const upgrade = await eventually(() => held ?? false);
    feedUntilPaused(call, exchange, 1024);
    expect(call.isPaused).toBe(true);
    upgrade.socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 2\r\nConnection: close\r\n\r\nno');
    await eventually(() => outcomes.length === 1);
    expect(outcomes).toEqual([{ kind: 'served', status: 403 }]);
    expect(call.isPaused).toBe(false);
    expect(exchange.earlyBytes).toBe(0);
    exchange.accept({ body: CHUNK, end: true }); // the rest of the client's bytes go nowhere
    expect(exchange.earlyBytes).toBe(0);
  });
});
