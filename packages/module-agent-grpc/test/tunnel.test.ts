import { Readable } from 'node:stream';
import { buffer, text } from 'node:stream/consumers';
import type { Client } from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import { eventually } from '@kas/testkit';
import { EMPTY_BODY, MAX_BODY_FRAME_BYTES } from '@kas/tunnel-protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { connectRawAgent, openRawTunnel, openRegisteredTunnel } from './support/rawAgent.js';
import { AGENT_TOKENS, startKas, type TestKas } from './support/startKas.js';

const GET = { method: 'GET', path: '/version', query: '', headers: { accept: ['application/json'] } };

describe('a tunnel carrying one request', () => {
  let kas: TestKas;
  let agent: Client;
  afterEach(async () => {
    agent?.close();
    await kas?.kas.stop();
  });

  it('sends a GET as one frame and streams the response back; the tunnel then carries the next request', async () => {
    kas = await startKas();
    agent = connectRawAgent(kas.server.address);
    const tunnel = await openRegisteredTunnel(agent, AGENT_TOKENS['agent-1']);
    expect(kas.registry.hasAgent('agent-1')).toBe(true);
    expect([kas.server.tunnelCount(), kas.server.idleTunnelCount()]).toEqual([1, 1]);

    const taken = await kas.registry.acquire('agent-1', { timeoutMs: 1_000 });
    expect([kas.server.tunnelCount(), kas.server.idleTunnelCount()]).toEqual([1, 0]);
    const answered = taken.roundTrip({ ...GET, query: 'a=1' }, undefined, new AbortController().signal);
    const frame = await tunnel.nextFrame();
    expect(frame.head).toEqual({
      method: 'GET',
      path: '/version',
      query: 'a=1',
      headers: [{ name: 'accept', values: ['application/json'] }],
      upgrade: '',
    });
    expect(frame.end).toBe(true);
    tunnel.call.write({
      head: { status: 200, headers: [{ name: 'content-type', values: ['application/json'] }] },
      body: Buffer.from('{"major":'),
      end: false,
    });
    const response = await answered;
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toEqual(['application/json']);
    tunnel.call.write({ body: Buffer.from('"1"}'), end: true });
    expect(await text(response.body)).toBe('{"major":"1"}');

    const again = await kas.registry.acquire('agent-1', { timeoutMs: 1_000 });
    const second = again.roundTrip(GET, undefined, new AbortController().signal);
    expect((await tunnel.nextFrame()).head?.path).toBe('/version');
    tunnel.call.write({ head: { status: 204, headers: [] }, body: EMPTY_BODY, end: true });
    expect((await second).status).toBe(204);
    await expect(taken.roundTrip(GET, undefined, new AbortController().signal)).rejects.toMatchObject({
      code: 'KAS_TUNNEL_BUSY',
    });
    expect(kas.server.counters()).toMatchObject({ 'tunnels.registered': 1, 'exchanges.finished': 2 });
    tunnel.call.end();
    expect((await tunnel.status).code).toBe(status.OK);
  });

  it('emits agentConnected for the first tunnel of an agent and agentDisconnected for its last', async () => {
    kas = await startKas();
    const events: string[] = [];
    kas.registry.on('agentConnected', (id) => events.push(`connected ${id}`));
    kas.registry.on('agentDisconnected', (id) => events.push(`disconnected ${id}`));
    agent = connectRawAgent(kas.server.address);
    const first = await openRegisteredTunnel(agent, AGENT_TOKENS['agent-1']);
    const second = await openRegisteredTunnel(agent, AGENT_TOKENS['agent-1']);
    expect(events).toEqual(['connected agent-1']);
    first.call.end();
    await first.status;
    expect(events).toEqual(['connected agent-1']);
    second.call.cancel();
    await eventually(() => events.length === 2);
    expect(events).toEqual(['connected agent-1', 'disconnected agent-1']);
    expect(kas.registry.connectedAgents()).toEqual([]);
  });

  it('streams a request body to the agent in frames of at most 64 KiB', async () => {
    kas = await startKas();
    agent = connectRawAgent(kas.server.address);
    const tunnel = await openRegisteredTunnel(agent, AGENT_TOKENS['agent-1']);
    const taken = await kas.registry.acquire('agent-1');
    const upload = Buffer.alloc(1024 * 1024 + 7, 'x');
    void taken.roundTrip({ ...GET, method: 'POST' }, Readable.from([upload]), new AbortController().signal);
    const head = await tunnel.nextFrame();
    expect(head.end).toBe(false);
    const received: Buffer[] = [];
    for (;;) {
      const frame = await tunnel.nextFrame();
      expect(frame.body.length).toBeLessThanOrEqual(MAX_BODY_FRAME_BYTES);
      received.push(Buffer.from(frame.body));
      if (frame.end) break;
    }
    expect(Buffer.concat(received).equals(upload)).toBe(true);
    tunnel.call.write({ head: { status: 204, headers: [] }, body: EMPTY_BODY, end: true });
  });

  it('ends a tunnel whose response ended before its request body was sent, rather than reuse it', async () => {
    kas = await startKas();
    agent = connectRawAgent(kas.server.address);
    const tunnel = await openRegisteredTunnel(agent, AGENT_TOKENS['agent-1']);
    const taken = await kas.registry.acquire('agent-1');
    const upload = new Readable({ read() {} });
    upload.push(Buffer.from('part of a large upload'));
    const answered = taken.roundTrip({ ...GET, method: 'PUT' }, upload, new AbortController().signal);
    await tunnel.nextFrame();
    tunnel.call.write({ head: { status: 413, headers: [] }, body: EMPTY_BODY, end: true });
    expect((await answered).status).toBe(413);
    expect((await tunnel.status).code).toBe(status.OK);
    expect(kas.registry.hasAgent('agent-1')).toBe(false);
  });

  it('pauses the agent while the consumer does not read, so kas buffers a bounded amount', async () => {
    kas = await startKas();
    agent = connectRawAgent(kas.server.address);
    const tunnel = await openRegisteredTunnel(agent, AGENT_TOKENS['agent-1']);
    const taken = await kas.registry.acquire('agent-1');
    const answered = taken.roundTrip(GET, undefined, new AbortController().signal);
    await tunnel.nextFrame();
    tunnel.call.write({ head: { status: 200, headers: [] }, body: EMPTY_BODY, end: false });
    const response = await answered;

    // The agent writes whenever grpc-js lets it. With nobody reading at kas, that must stop early.
    const chunk = Buffer.alloc(64 * 1024, 'y');
    let accepted = 0;
    let isWriting = true;
    let isRefused = false;
    const pump = () => {
      isRefused = false;
      while (isWriting) {
        accepted += chunk.length;
        if (!tunnel.call.write({ body: chunk, end: false })) {
          isRefused = true;
          return;
        }
      }
    };
    tunnel.call.on('drain', pump);
    pump();
    // kas answers a call to a method it does not have at once, after reading every frame this connection
    // sent before it. Had kas read on (and so opened the flow-control window), data would move through such
    // round trips: into kas's buffer, and out of the agent's. It stops: kas's buffer is full (kas paused the
    // call), the agent is refused, and three round trips in a row pass with nothing moving.
    const roundTrip = () =>
      new Promise<void>((resolve) => {
        agent.makeUnaryRequest(
          '/kas.test.NoSuchService/NoSuchMethod',
          (bytes: Buffer) => bytes,
          (bytes: Buffer) => bytes,
          Buffer.alloc(0),
          () => resolve(),
        );
      });
    const moved = () => `${accepted}/${response.body.readableLength}`;
    let stableRoundTrips = 0;
    await eventually(async () => {
      const before = moved();
      await roundTrip();
      const isStill = isRefused && response.body.readableLength >= response.body.readableHighWaterMark;
      stableRoundTrips = isStill && moved() === before ? stableRoundTrips + 1 : 0;
      return stableRoundTrips === 3 || accepted >= 8 * 1024 * 1024;
    });
    expect(accepted).toBeLessThan(8 * 1024 * 1024);
    expect(response.body.readableLength).toBeLessThan(4 * 1024 * 1024);

    // Once read, everything written arrives.
    isWriting = false;
    tunnel.call.off('drain', pump);
    const body = buffer(response.body);
    tunnel.call.write({ body: EMPTY_BODY, end: true });
    expect((await body).length).toBe(accepted);
  });

  it('cancels the tunnel when the consumer aborts, so the agent can cancel upstream', async () => {
    kas = await startKas();
    agent = connectRawAgent(kas.server.address);
    const tunnel = await openRegisteredTunnel(agent, AGENT_TOKENS['agent-1']);
    const taken = await kas.registry.acquire('agent-1');
    const abort = new AbortController();
    const answered = taken.roundTrip(GET, undefined, abort.signal);
    await tunnel.nextFrame();
    tunnel.call.write({ head: { status: 200, headers: [] }, body: Buffer.from('partial'), end: false });
    const body = expect(text((await answered).body)).rejects.toThrow('client went away');
    abort.abort(new Error('client went away'));
    expect((await tunnel.status).code).toBe(status.CANCELLED);
    await body;
  });

  it('fails the round trip with KAS_AGENT_REQUEST_FAILED when the agent answers with an error frame', async () => {
    kas = await startKas();
    agent = connectRawAgent(kas.server.address);
    const tunnel = await openRegisteredTunnel(agent, AGENT_TOKENS['agent-1']);
    const taken = await kas.registry.acquire('agent-1');
    const answered = taken.roundTrip(GET, undefined, new AbortController().signal);
    await tunnel.nextFrame();
    tunnel.call.write({
      body: EMPTY_BODY,
      end: false,
      error: { code: 'UPSTREAM_UNREACHABLE', message: 'connect ECONNREFUSED' },
    });
    await expect(answered).rejects.toMatchObject({ code: 'KAS_AGENT_REQUEST_FAILED' });
    expect((await tunnel.status).code).toBe(status.OK);
  });

  it('errors the body with KAS_TUNNEL_BROKEN when the agent vanishes mid-body', async () => {
    kas = await startKas();
    agent = connectRawAgent(kas.server.address);
    const tunnel = await openRegisteredTunnel(agent, AGENT_TOKENS['agent-1']);
    const taken = await kas.registry.acquire('agent-1');
    const answered = taken.roundTrip(GET, undefined, new AbortController().signal);
    await tunnel.nextFrame();
    tunnel.call.write({ head: { status: 200, headers: [] }, body: Buffer.from('half'), end: false });
    const body = text((await answered).body);
    tunnel.call.cancel();
    await expect(body).rejects.toMatchObject({ code: 'KAS_TUNNEL_BROKEN' });
  });

  it('makes acquire wait for a tunnel, and time out with KAS_TUNNEL_UNAVAILABLE when none comes', async () => {
    kas = await startKas();
    agent = connectRawAgent(kas.server.address);
    const waiting = kas.registry.acquire('agent-1', { timeoutMs: 5_000 });
    await openRegisteredTunnel(agent, AGENT_TOKENS['agent-1']);
    expect((await waiting).agentId).toBe('agent-1');
    await expect(kas.registry.acquire('agent-2', { timeoutMs: 50 })).rejects.toMatchObject({
      code: 'KAS_TUNNEL_UNAVAILABLE',
    });
    const abort = new AbortController();
    const aborted = kas.registry.acquire('agent-2', { timeoutMs: 5_000, signal: abort.signal });
    abort.abort(new Error('the client went away'));
    await expect(aborted).rejects.toThrow('the client went away');
    await expect(kas.registry.acquire('agent-2', { signal: abort.signal })).rejects.toThrow(
      'the client went away',
    );
  });

  it('refuses tunnels over the per-agent limit with RESOURCE_EXHAUSTED', async () => {
    kas = await startKas({ maxTunnelsPerAgent: 2 });
    agent = connectRawAgent(kas.server.address);
    await openRegisteredTunnel(agent, AGENT_TOKENS['agent-1']);
    await openRegisteredTunnel(agent, AGENT_TOKENS['agent-1']);
    const third = openRawTunnel(agent, AGENT_TOKENS['agent-1']);
    third.sendDescriptor();
    expect(await third.status).toMatchObject({ code: status.RESOURCE_EXHAUSTED });
    expect((await third.status).details).toMatch(/^KAS_TUNNEL_LIMIT: /);
    await openRegisteredTunnel(agent, AGENT_TOKENS['agent-2']);
  });

  it('counts a refused tunnel nowhere: the limit holds after refusals, and the agent stays connected on its tunnels', async () => {
    kas = await startKas({ maxTunnelsPerAgent: 2 });
    agent = connectRawAgent(kas.server.address);
    const kept = [
      await openRegisteredTunnel(agent, AGENT_TOKENS['agent-1']),
      await openRegisteredTunnel(agent, AGENT_TOKENS['agent-1']),
    ];
    for (let i = 0; i < 3; i++) {
      const refused = openRawTunnel(agent, AGENT_TOKENS['agent-1']);
      refused.sendDescriptor();
      expect(await refused.status).toMatchObject({ code: status.RESOURCE_EXHAUSTED });
    }
    // Each refusal used to take one off the agent's count: a fourth tunnel got in, and the agent was
    // reported gone ("no tunnels left here") while its two tunnels were still open.
    const over = openRawTunnel(agent, AGENT_TOKENS['agent-1']);
    over.sendDescriptor();
    expect(await over.status).toMatchObject({ code: status.RESOURCE_EXHAUSTED });
    expect(kas.registry.hasAgent('agent-1')).toBe(true);
    expect(kas.logs.filter((line) => line.event === 'agent.disconnected')).toEqual([]);
    const taken = await kas.registry.acquire('agent-1', { timeoutMs: 1_000 });
    const answered = taken.roundTrip(
      { method: 'GET', path: '/version', query: '', headers: {} },
      undefined,
      new AbortController().signal,
    );
    const asked = await Promise.race(
      kept.map(async (tunnel) => ({ tunnel, frame: await tunnel.nextFrame() })),
    );
    expect(asked.frame.head).toMatchObject({ path: '/version' });
    asked.tunnel.call.write({ head: { status: 200, headers: [] }, body: Buffer.from('ok'), end: true });
    expect((await answered).status).toBe(200);
  });
});
