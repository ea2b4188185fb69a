import { text } from 'node:stream/consumers';
import { type Client, status } from '@grpc/grpc-js';
import { eventually } from '@kas/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { connectRawAgent, openRegisteredTunnel, type RawTunnel } from './support/rawAgent.js';
import { AGENT_TOKENS, startKas, type TestKas } from './support/startKas.js';

const GET = { method: 'GET', path: '/version', query: '', headers: {} };

describe('trimming idle tunnels', () => {
  let kas: TestKas;
  let trimming: TestKas | undefined;
  const agents: Client[] = [];
  afterEach(async () => {
    for (const agent of agents.splice(0)) agent.close();
    // Cut at once: a test that failed mid-request leaves a busy tunnel, which a stop would otherwise wait
    // for until the server's drain budget (minutes), long after the failure was reported.
    for (const app of [kas?.kas, trimming?.kas]) {
      const stopping = app?.stop();
      app?.app.cut();
      await stopping;
    }
    trimming = undefined;
  });

  const openTunnels = async (
    token: string,
    count: number,
    idleTunnels: number,
    to: TestKas = kas,
  ): Promise<RawTunnel[]> => {
    const agent = connectRawAgent(to.server.address);
    agents.push(agent);
    const tunnels: RawTunnel[] = [];
    for (let i = 0; i < count; i++) tunnels.push(await openRegisteredTunnel(agent, token, idleTunnels));
    return tunnels;
  };

  it('ends the idle tunnels beyond what the agent keeps, longest idle first, once they were idle for the timeout', async () => {
    kas = await startKas({ idleTunnelTimeout: 100 });
    // Opened first, so idle longest: a rule that ignored what an agent says would trim these first.
    const notSaying = await openTunnels(AGENT_TOKENS['agent-2'], 3, 0);
    const kept = await openTunnels(AGENT_TOKENS['agent-1'], 4, 1);

    // The three opened first end with status OK: "open another one now" is not meant, the agent keeps one.
    for (const tunnel of kept.slice(0, 3)) expect(await tunnel.status).toMatchObject({ code: status.OK });
    expect(kas.server.counters()['tunnels.trimmed']).toBe(3);
    const logged = kas.logs.filter((line) => line.event === 'tunnels.trimmed');
    expect(logged.reduce((sum, line) => sum + (line.tunnels as number), 0)).toBe(3);
    // An agent that does not say how many it keeps loses none.
    expect(kas.server.tunnelCount()).toBe(1 + notSaying.length);
    expect(kas.registry.hasAgent('agent-1')).toBe(true);

    // The one left still carries a request.
    const lease = await kas.registry.acquire('agent-1', { timeoutMs: 1_000 });
    const answered = lease.roundTrip(GET, undefined, new AbortController().signal);
    const last = kept[3] as RawTunnel;
    expect(await last.nextFrame()).toMatchObject({ head: { path: '/version' }, end: true });
    last.call.write({ head: { status: 200, headers: [] }, body: Buffer.from('{}'), end: true });
    expect(await text((await answered).body)).toBe('{}');
  });

  it('never ends a busy tunnel, and keeps an agent at the number it asked for', async () => {
    kas = await startKas({ idleTunnelTimeout: 50 });
    const tunnels = await openTunnels(AGENT_TOKENS['agent-1'], 3, 1);
    const lease = await kas.registry.acquire('agent-1');
    const answered = lease.roundTrip(GET, undefined, new AbortController().signal);
    // The most recently idle tunnel carries it.
    const busy = tunnels[2] as RawTunnel;
    await busy.nextFrame();

    // Of the two idle ones one is beyond what the agent keeps. (On a slow machine the sweep may come
    // before the request, while all three are idle: then two go, and the request takes the third.)
    expect(await (tunnels[0] as RawTunnel).status).toMatchObject({ code: status.OK });
    await eventually(() => (kas.server.counters()['tunnels.trimmed'] ?? 0) >= 1);
    busy.call.write({ head: { status: 200, headers: [] }, body: Buffer.from('slow'), end: true });
    expect(await text((await answered).body)).toBe('slow');

    // Idle again, the busy one is now an extra idle tunnel: one of the two goes, the agent keeps one.
    await eventually(() => kas.server.counters()['tunnels.trimmed'] === 2);
    expect(kas.server.tunnelCount()).toBe(1);
    expect(kas.server.idleTunnelCount()).toBe(1);
  });

  it('trims nothing with a timeout of 0', async () => {
    kas = await startKas({ idleTunnelTimeout: 0 });
    await openTunnels(AGENT_TOKENS['agent-1'], 3, 1);
    // Beside it, in this process, a server that trims after 50 ms, with tunnels opened later: once it has
    // trimmed, any sweep of the first (a timeout of 0 read as "at once") would have run too.
    trimming = await startKas({ idleTunnelTimeout: 50 });
    const trimmed = await openTunnels(AGENT_TOKENS['agent-1'], 3, 1, trimming);
    for (const tunnel of trimmed.slice(0, 2)) expect(await tunnel.status).toMatchObject({ code: status.OK });
    expect(kas.server.idleTunnelCount()).toBe(3);
    expect(kas.server.counters()['tunnels.trimmed']).toBeUndefined();
  });
});
