import { PassThrough } from 'node:stream';
import type { Client } from '@grpc/grpc-js';
import { eventually } from '@kas/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { connectRawAgent, openRegisteredTunnel } from './support/rawAgent.js';
import { AGENT_TOKENS, startKas, type TestKas } from './support/startKas.js';

const EXEC = {
  method: 'GET',
  path: '/api/v1/namespaces/default/pods/web-0/exec',
  query: 'command=sh&stdin=true&stdout=true',
  headers: { 'sec-websocket-protocol': ['v5.channel.k8s.io'] },
  upgrade: 'websocket',
};

describe('an upgraded connection on a tunnel', () => {
  let kas: TestKas;
  let agent: Client;
  afterEach(async () => {
    agent?.close();
    await kas?.kas.stop();
  });

  it('is refused before anything is sent to an agent that does not say it carries upgrades; the tunnel stays idle', async () => {
    kas = await startKas();
    agent = connectRawAgent(kas.server.address);
    await openRegisteredTunnel(agent, AGENT_TOKENS['agent-1'], 0, false);
    const tunnel = await kas.registry.acquire('agent-1', { timeoutMs: 1_000 });
    await expect(
      tunnel.roundTrip(EXEC, new PassThrough(), new AbortController().signal),
    ).rejects.toMatchObject({
      code: 'KAS_UPGRADE_UNSUPPORTED',
      message: expect.stringContaining('does not carry connection upgrades (websocket)'),
    });
    expect(kas.server.idleTunnelCount()).toBe(1);
    // The same tunnel still carries ordinary requests.
    await kas.registry.acquire('agent-1', { timeoutMs: 1_000 });
  });

  it('carries bytes both ways after the 101, each side half-closing on its own, then is idle again', async () => {
    kas = await startKas();
    agent = connectRawAgent(kas.server.address);
    const raw = await openRegisteredTunnel(agent, AGENT_TOKENS['agent-1'], 0, true);
    const tunnel = await kas.registry.acquire('agent-1', { timeoutMs: 1_000 });
    const client = new PassThrough();
    const switched = tunnel.roundTrip(EXEC, client, new AbortController().signal);
    const head = await raw.nextFrame();
    expect(head.head).toMatchObject({ path: EXEC.path, upgrade: 'websocket' });
    expect(head.end).toBe(false);
    raw.call.write({
      head: { status: 101, headers: [{ name: 'upgrade', values: ['websocket'] }] },
      body: Buffer.from('server hello'),
      end: false,
    });
    const response = await switched;
    expect(response.status).toBe(101);
    const received: string[] = [];
    response.body.on('data', (chunk: Buffer) => received.push(chunk.toString()));
    client.write('client bytes');
    expect((await raw.nextFrame()).body.toString()).toBe('client bytes');
    // The upstream half-closes first: the client may still send.
    raw.call.write({ body: Buffer.from(' and bye'), end: true });
    await eventually(() => response.body.readableEnded);
    expect(received.join('')).toBe('server hello and bye');
    client.write('after the upstream ended');
    expect((await raw.nextFrame()).body.toString()).toBe('after the upstream ended');
    expect(kas.server.idleTunnelCount()).toBe(0);
    client.end();
    expect((await raw.nextFrame()).end).toBe(true);
    await eventually(() => kas.server.idleTunnelCount() === 1);
    expect(kas.server.counters()).toMatchObject({ 'exchanges.finished': 1 });
  });
});
