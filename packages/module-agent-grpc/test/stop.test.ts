import { connect } from 'node:http2';
import { text } from 'node:stream/consumers';
import { type Client, connectivityState, status } from '@grpc/grpc-js';
import { eventually } from '@kas/testkit';
import { createReverseTunnelMethod, EMPTY_BODY } from '@kas/tunnel-protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { channelLeaves, connectRawAgent, openRegisteredTunnel } from './support/rawAgent.js';
import { AGENT_TOKENS, startKas, type TestKas } from './support/startKas.js';

const GET = { method: 'GET', path: '/api/v1/pods', query: 'watch=1', headers: {} };
const progressOf = (kas: TestKas) =>
  kas.kas.app.snapshot().modules.find((module) => module.name === 'agent-grpc-server')?.progress;

describe('stopping the agent gRPC server', () => {
  let kas: TestKas;
  let agent: Client;
  afterEach(async () => {
    agent?.close();
    await kas?.kas.stop();
  });

  it('sends GOAWAY, ends idle tunnels at once, fails waiting acquires, and lets a busy tunnel finish', async () => {
    kas = await startKas();
    agent = connectRawAgent(kas.server.address);
    const busy = await openRegisteredTunnel(agent, AGENT_TOKENS['agent-1']);
    const taken = await kas.registry.acquire('agent-1');
    const idle = [
      await openRegisteredTunnel(agent, AGENT_TOKENS['agent-1']),
      await openRegisteredTunnel(agent, AGENT_TOKENS['agent-1']),
    ];
    const answered = taken.roundTrip(GET, undefined, new AbortController().signal);
    await busy.nextFrame();
    busy.call.write({
      head: { status: 200, headers: [] },
      body: Buffer.from('{"type":"ADDED"}\n'),
      end: false,
    });
    const body = text((await answered).body);
    const waiting = kas.registry.acquire('agent-2', { timeoutMs: 60_000 });
    waiting.catch(() => {});
    const goaway = channelLeaves(agent, connectivityState.READY);

    const stopped = kas.kas.stop();
    expect(await goaway).not.toBe(connectivityState.READY);
    for (const tunnel of idle) expect(await tunnel.status).toMatchObject({ code: status.OK });
    await expect(waiting).rejects.toMatchObject({ code: 'KAS_REPLICA_STOPPING' });
    await expect(kas.registry.acquire('agent-1')).rejects.toMatchObject({ code: 'KAS_REPLICA_STOPPING' });
    expect(kas.kas.trace.find((event) => event.type === 'module.mark')).toMatchObject({
      name: 'goaway.sent',
      data: { connections: 1 },
    });
    expect(kas.kas.app.state).toBe('stopping');
    await eventually(() => progressOf(kas)?.idleEnded === 2);
    expect(progressOf(kas)).toEqual({ state: 'stopping', connections: 1, busyTunnels: 1, idleEnded: 2 });

    busy.call.write({ body: Buffer.from('{"type":"DELETED"}\n'), end: true });
    expect(await body).toBe('{"type":"ADDED"}\n{"type":"DELETED"}\n');
    expect(await stopped).toMatchObject({ status: 'clean', cut: [] });
    expect((await busy.status).code).toBe(status.OK);
    expect(progressOf(kas)).toEqual({ state: 'stopped', connections: 0, busyTunnels: 0, idleEnded: 2 });
  });

  it('closes an agent connection still open 2 s after its last tunnel ended (its streams never closed), not at the drain budget', async () => {
    kas = await startKas({ drainBudget: '1h' });
    // A peer that opens a tunnel, reads its OK status at GOAWAY, and never closes its side of the stream
    // (nor its connection): as a frozen agent, or one behind a network that drops everything, would.
    const session = connect(`http://${kas.server.address}`);
    session.on('error', () => {});
    const method = createReverseTunnelMethod(4 * 1024 * 1024);
    const stream = session.request({
      ':method': 'POST',
      ':path': method.path,
      'content-type': 'application/grpc',
      te: 'trailers',
      authorization: `Bearer ${AGENT_TOKENS['agent-1']}`,
    });
    stream.on('error', () => {});
    const descriptor = method.requestSerialize({
      descriptor: {
        services: ['kubernetes-api'],
        agentVersion: 'stubborn',
        idleTunnels: 0,
        upgrades: false,
        heartbeats: false,
      },
      heartbeat: false,
      body: EMPTY_BODY,
      end: false,
    });
    const frame = Buffer.alloc(5 + descriptor.length);
    frame.writeUInt32BE(descriptor.length, 1);
    descriptor.copy(frame, 5);
    stream.write(frame);
    stream.resume();
    const trailers = new Promise<Record<string, unknown>>((resolve) => stream.once('trailers', resolve));
    await eventually(() => kas.registry.hasAgent('agent-1'));
    const sessionClosed = new Promise((resolve) => session.once('close', resolve));

    expect(await kas.kas.stop()).toMatchObject({ status: 'clean', cut: [] });
    expect(await trailers).toMatchObject({ 'grpc-status': '0' });
    await sessionClosed;
    expect(kas.kas.trace.some((event) => event.type === 'module.drainCut')).toBe(false);
    expect(kas.logs).toContainEqual(
      expect.objectContaining({
        level: 40,
        event: 'connections.lingering',
        closed: 1,
        msg: 'closed 1 agent connection(s) still open 2s after their last tunnel ended: an agent that keeps its streams open after GOAWAY, or one that vanished',
      }),
    );
  });

  it('cuts busy tunnels at the drain budget and fails their requests with KAS_TUNNEL_BROKEN', async () => {
    kas = await startKas({ drainBudget: 200 });
    agent = connectRawAgent(kas.server.address);
    const busy = await openRegisteredTunnel(agent, AGENT_TOKENS['agent-1']);
    const taken = await kas.registry.acquire('agent-1');
    const answered = taken.roundTrip(GET, undefined, new AbortController().signal);
    await busy.nextFrame();
    busy.call.write({ head: { status: 200, headers: [] }, body: EMPTY_BODY, end: false });
    const body = expect(text((await answered).body)).rejects.toMatchObject({ code: 'KAS_TUNNEL_BROKEN' });

    const outcome = await kas.kas.stop();
    expect(outcome.cut).toEqual(['agent-grpc-server']);
    await body;
    expect((await busy.status).code).not.toBe(status.OK);
    expect(kas.logs.find((log) => log.event === 'tunnels.cut')).toMatchObject({
      busy: 1,
      reason: 'budget',
      msg: 'cutting 1 tunnel(s) still busy at the drain budget (agentGrpc.drainBudget, 200ms)',
    });
    await eventually(() => progressOf(kas)?.busyTunnels === 0);
    expect(progressOf(kas)).toMatchObject({ state: 'stopped', cut: 1 });
  });

  it('says a busy tunnel was cut by a second stop signal, not by the drain budget, in its log line and to both ends', async () => {
    kas = await startKas({ drainBudget: 60_000 });
    agent = connectRawAgent(kas.server.address);
    const busy = await openRegisteredTunnel(agent, AGENT_TOKENS['agent-1']);
    const taken = await kas.registry.acquire('agent-1');
    const answered = taken.roundTrip(GET, undefined, new AbortController().signal);
    await busy.nextFrame();
    busy.call.write({ head: { status: 200, headers: [] }, body: EMPTY_BODY, end: false });
    const body = text((await answered).body);
    body.catch(() => {});

    const stopped = kas.kas.stop();
    await eventually(() => kas.logs.some((log) => log.event === 'goaway.sent'));
    kas.kas.app.cut('signal');

    expect((await stopped).cut).toEqual(['agent-grpc-server']);
    await expect(body).rejects.toMatchObject({
      code: 'KAS_TUNNEL_BROKEN',
      message:
        'the request to agent "agent-1" was cut: a second stop signal cut the agent gRPC server\'s drain',
    });
    expect(await busy.status).toMatchObject({
      code: status.CANCELLED,
      details: "cancelled by kas: a second stop signal cut the agent gRPC server's drain",
    });
    expect(kas.logs.find((log) => log.event === 'tunnels.cut')).toMatchObject({
      busy: 1,
      reason: 'signal',
      msg: 'cutting 1 tunnel(s) still busy when a second stop signal came',
    });
  });

  it('logs no cut of tunnels when a second stop signal comes while no tunnel is busy', async () => {
    kas = await startKas({ drainBudget: 60_000 });
    agent = connectRawAgent(kas.server.address);
    const idle = await openRegisteredTunnel(agent, AGENT_TOKENS['agent-1']);

    const stopped = kas.kas.stop();
    kas.kas.app.cut('signal');

    await stopped;
    expect((await idle.status).code).toBe(status.OK);
    expect(kas.logs.filter((log) => log.event === 'tunnels.cut')).toEqual([]);
    expect(progressOf(kas)).not.toHaveProperty('cut');
  });
});
