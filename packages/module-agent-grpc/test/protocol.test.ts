import { once } from 'node:events';
import { connect as netConnect } from 'node:net';
import { text } from 'node:stream/consumers';
import { type Client, status } from '@grpc/grpc-js';
import { eventually } from '@kas/testkit';
import { AgentMessage, EMPTY_BODY } from '@kas/tunnel-protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { connectRawAgent, openRawTunnel, openRegisteredTunnel, type RawTunnel } from './support/rawAgent.js';
import { AGENT_TOKENS, startKas, type TestKas } from './support/startKas.js';

const GET = { method: 'GET', path: '/version', query: '', headers: {} };

describe('agents that break the rules', () => {
  let kas: TestKas;
  const clients: Client[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await kas?.kas.stop();
  });
  const connect = () => {
    const client = connectRawAgent(kas.server.address);
    clients.push(client);
    return client;
  };

  /** Another agent's tunnel still carries a request end to end. */
  const expectOthersServed = async () => {
    const tunnel = await openRegisteredTunnel(connect(), AGENT_TOKENS['agent-2']);
    const taken = await kas.registry.acquire('agent-2', { timeoutMs: 1_000 });
    const answered = taken.roundTrip(GET, undefined, new AbortController().signal);
    await tunnel.nextFrame();
    tunnel.call.write({ head: { status: 200, headers: [] }, body: Buffer.from('ok'), end: true });
    expect(await text((await answered).body)).toBe('ok');
  };

  /** Opens a registered tunnel of agent-1 and has kas send it a request. */
  const busyTunnel = async (): Promise<{ tunnel: RawTunnel; answered: Promise<unknown> }> => {
    const tunnel = await openRegisteredTunnel(connect(), AGENT_TOKENS['agent-1']);
    const taken = await kas.registry.acquire('agent-1', { timeoutMs: 1_000 });
    const answered = taken.roundTrip(GET, undefined, new AbortController().signal);
    answered.catch(() => {});
    await tunnel.nextFrame();
    return { tunnel, answered };
  };

  it('resets a connection that has carried no tunnel by handshakeTimeout, and keeps a quiet one that carries a tunnel', async () => {
    kas = await startKas({ handshakeTimeout: '300ms' });
    const tunnel = await openRegisteredTunnel(connect(), AGENT_TOKENS['agent-1']);
    const [host, port] = kas.server.address.split(':');
    const silent = netConnect(Number(port), host);
    silent.on('error', () => {}); // the reset kas answers with
    await once(silent, 'connect');
    await new Promise((resolve) => silent.once('close', resolve)); // kas reset it: it never said a word
    // The agent's connection has been quiet at least as long, and still carries its tunnel.
    const taken = await kas.registry.acquire('agent-1', { timeoutMs: 1_000 });
    const answered = taken.roundTrip(GET, undefined, new AbortController().signal);
    await tunnel.nextFrame();
    tunnel.call.write({ head: { status: 200, headers: [] }, body: Buffer.from('still here'), end: true });
    expect(await text((await answered).body)).toBe('still here');
  });

  it('logs a burst of 300 refused calls as a few warnings and one summary by reason, not 300 lines; the counters count all', async () => {
    kas = await startKas();
    const client = connect();
    const statuses = await Promise.all(
      Array.from({ length: 300 }, (_, index) => {
        const refused = openRawTunnel(client, index % 3 === 0 ? undefined : `guess-${index}`);
        refused.sendDescriptor();
        return refused.status;
      }),
    );
    expect(statuses.every((answer) => answer.code === status.UNAUTHENTICATED)).toBe(true);
    expect(kas.server.counters()['tunnels.refused.KAS_UNAUTHENTICATED']).toBe(300);
    await kas.kas.stop(); // the stop writes the summary of what was counted
    const oneByOne = kas.logs.filter((log) => log.event === 'tunnel.unauthenticated');
    const summaries = kas.logs.filter((log) => log.event === 'tunnel.refusedSummary');
    // At most 5 a 10 s interval are logged one by one (a busy machine may spread the burst over two).
    expect(oneByOne.length).toBeLessThanOrEqual(10);
    expect(summaries.length).toBeGreaterThanOrEqual(1);
    const summed = summaries.reduce((total, log) => total + Number(log.count), 0);
    expect(oneByOne.length + summed).toBe(300);
    const byReason: Record<string, number> = {};
    for (const log of summaries) {
      for (const [reason, count] of Object.entries(log.byReason as Record<string, number>)) {
        byReason[reason] = (byReason[reason] ?? 0) + count;
      }
    }
    expect(Object.keys(byReason).sort()).toEqual([
      'KAS_UNAUTHENTICATED (missing token)',
      'KAS_UNAUTHENTICATED (unknown token)',
    ]);
    expect(JSON.stringify(kas.logs)).not.toContain('guess-');
  });

  it('refuses a tunnel without a token, and one with an unknown token, with UNAUTHENTICATED; never logs the token', async () => {
    kas = await startKas();
    const client = connect();
    const anonymous = openRawTunnel(client, undefined);
    anonymous.sendDescriptor();
    expect(await anonymous.status).toMatchObject({ code: status.UNAUTHENTICATED });
    const impostor = openRawTunnel(client, 'secret-guess-1234');
    impostor.sendDescriptor();
    const refused = await impostor.status;
    expect(refused.code).toBe(status.UNAUTHENTICATED);
    // A token was sent: what to do is check it against the agents file, not "send a token".
    expect(refused.details).toMatch(
      /^KAS_UNAUTHENTICATED: unknown token; the token's sha256 matches no agent/,
    );
    expect(kas.server.counters()['tunnels.refused.KAS_UNAUTHENTICATED']).toBe(2);
    const logged = kas.logs.filter((log) => log.event === 'tunnel.unauthenticated');
    expect(logged).toHaveLength(2);
    expect(logged.find((log) => log.reason === 'unknown token')?.fix).toMatch(/agentGrpc\.agentsFile/);
    expect(JSON.stringify(kas.logs)).not.toContain('secret-guess-1234');
    expect(kas.registry.connectedAgents()).toEqual([]);
    await expectOthersServed();
  });

  it('refuses a tunnel that sends no descriptor within handshakeTimeout (KAS_DESCRIPTOR_TIMEOUT), on a connection kept open by its other tunnel', async () => {
    kas = await startKas({ handshakeTimeout: '300ms' });
    const client = connect();
    await openRegisteredTunnel(client, AGENT_TOKENS['agent-1']);
    const silent = openRawTunnel(client, AGENT_TOKENS['agent-1']);
    const ended = await silent.status;
    expect(ended.code).toBe(status.INVALID_ARGUMENT);
    expect(ended.details).toBe(
      "KAS_DESCRIPTOR_TIMEOUT: no descriptor within 300ms (handshakeTimeout) of the call's start",
    );
    expect(kas.server.counters()['tunnels.refused.KAS_DESCRIPTOR_TIMEOUT']).toBe(1);
    expect(kas.registry.hasAgent('agent-1')).toBe(true);
    await expectOthersServed();
  });

  it('ends a tunnel whose bytes are not an AgentMessage with INVALID_ARGUMENT (KAS_FRAME_MALFORMED)', async () => {
    kas = await startKas();
    const tunnel = openRawTunnel(connect(), AGENT_TOKENS['agent-1']);
    tunnel.call.write(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]));
    const ended = await tunnel.status;
    expect(ended.code).toBe(status.INVALID_ARGUMENT);
    expect(ended.details).toMatch(/^KAS_FRAME_MALFORMED: /);
    expect(kas.server.counters()['tunnels.refused.KAS_FRAME_MALFORMED']).toBe(1);
    expect(kas.logs.find((log) => log.event === 'tunnel.refused')).toMatchObject({
      agentId: 'agent-1',
      code: 'KAS_FRAME_MALFORMED',
    });
    await expectOthersServed();
  });

  it('ends a tunnel whose first message is not the descriptor (KAS_FRAME_OUT_OF_ORDER)', async () => {
    kas = await startKas();
    const tunnel = openRawTunnel(connect(), AGENT_TOKENS['agent-1']);
    tunnel.call.write({ head: { status: 200, headers: [] }, body: EMPTY_BODY, end: true });
    const ended = await tunnel.status;
    expect(ended.code).toBe(status.INVALID_ARGUMENT);
    expect(ended.details).toBe(
      'KAS_FRAME_OUT_OF_ORDER: the first message of a tunnel must be the descriptor alone',
    );
    await expectOthersServed();
  });

  it('ends an idle tunnel that sends a response nobody asked for (KAS_FRAME_OUT_OF_ORDER)', async () => {
    kas = await startKas();
    const tunnel = await openRegisteredTunnel(connect(), AGENT_TOKENS['agent-1']);
    tunnel.call.write({ head: { status: 200, headers: [] }, body: EMPTY_BODY, end: true });
    expect((await tunnel.status).details).toMatch(
      /^KAS_FRAME_OUT_OF_ORDER: a message on a tunnel that carries no request/,
    );
    expect(kas.registry.hasAgent('agent-1')).toBe(false);
    await expectOthersServed();
  });

  it('ends a busy tunnel that sends a body before the head, and fails its request with KAS_AGENT_ANSWER_INVALID', async () => {
    kas = await startKas();
    const { tunnel, answered } = await busyTunnel();
    tunnel.call.write({ body: Buffer.from('body first'), end: false });
    expect((await tunnel.status).details).toBe(
      'KAS_FRAME_OUT_OF_ORDER: response frames out of order: a body or end before the head',
    );
    await expect(answered).rejects.toMatchObject({ code: 'KAS_AGENT_ANSWER_INVALID' });
    await expectOthersServed();
  });

  it.each([
    ['status 0', 0, [], 'status 0 is not a final HTTP status (200-599)'],
    ['an interim 100 as the answer', 100, [], 'status 100 is not a final HTTP status (200-599)'],
    [
      '101 to a request that asked for no upgrade',
      101,
      [],
      'status 101 is not a final HTTP status (200-599)',
    ],
    ['status 1000', 1000, [], 'status 1000 is not a final HTTP status (200-599)'],
    [
      'a header name with a space',
      200,
      [{ name: 'bad name', values: ['x'] }],
      /^header "bad name" cannot be written: /,
    ],
    [
      'a header value with CR LF',
      200,
      [{ name: 'x-note', values: ['a\r\nset-cookie: stolen=1'] }],
      /^header "x-note" cannot be written: /,
    ],
    [
      'two different Content-Length values',
      200,
      [{ name: 'content-length', values: ['5', '6'] }],
      'the response has 2 different Content-Length values',
    ],
    [
      'a 100 KB header value',
      200,
      [{ name: 'x-big', values: ['v'.repeat(100_000)] }],
      'the head is too large: 1 header lines of 100009 bytes (at most 256 lines, 65536 bytes)',
    ],
    [
      '300 header lines',
      200,
      Array.from({ length: 300 }, (_, i) => ({ name: `x-h${i}`, values: ['1'] })),
      /^the head is too large: 300 header lines of \d+ bytes/,
    ],
  ])(
    'ends a busy tunnel whose response head has %s (KAS_RESPONSE_INVALID) and fails its request, naming the agent',
    async (_case, status, headers, why) => {
      kas = await startKas();
      const { tunnel, answered } = await busyTunnel();
      tunnel.call.write({ head: { status, headers }, body: Buffer.from('hello'), end: true });
      const ended = await tunnel.status;
      expect(ended.details).toMatch(/^KAS_RESPONSE_INVALID: response head refused: /);
      expect(ended.details.replace('KAS_RESPONSE_INVALID: response head refused: ', '')).toMatch(why);
      await expect(answered).rejects.toMatchObject({
        code: 'KAS_AGENT_ANSWER_INVALID',
        message: expect.stringContaining('tunnel of agent "agent-1" ended: response head refused: '),
      });
      expect(kas.server.counters()['tunnels.refused.KAS_RESPONSE_INVALID']).toBe(1);
      await expectOthersServed();
    },
  );

  it('never passes on body bytes past the Content-Length (they would read as the next answer on a keep-alive connection), nor a body that ends short', async () => {
    kas = await startKas();
    const long = await busyTunnel();
    long.tunnel.call.write({
      head: { status: 200, headers: [{ name: 'content-length', values: ['2'] }] },
      body: Buffer.from('{}'),
      end: false,
    });
    const response = (await long.answered) as { body: NodeJS.ReadableStream };
    const received: Buffer[] = [];
    response.body.on('data', (chunk: Buffer) => received.push(chunk));
    const failed = once(response.body as never, 'error');
    long.tunnel.call.write({
      body: Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 7\r\n\r\nforged!'),
      end: true,
    });
    expect((await long.tunnel.status).details).toBe(
      'KAS_RESPONSE_INVALID: the response body is longer than its Content-Length (2 bytes)',
    );
    await failed;
    expect(Buffer.concat(received).toString()).toBe('{}');

    const short = await busyTunnel();
    short.tunnel.call.write({
      head: { status: 200, headers: [{ name: 'content-length', values: ['10'] }] },
      body: Buffer.from('12345'),
      end: true,
    });
    expect((await short.tunnel.status).details).toBe(
      'KAS_RESPONSE_INVALID: the response body ended 5 byte(s) short of its Content-Length (10 bytes)',
    );
    // The head came in the frame that broke its length: the request fails, it is not handed on with a
    // body already destroyed (its reader waited for an end that never came: the client hung).
    await expect(short.answered).rejects.toMatchObject({
      message: expect.stringContaining('the response body ended 5 byte(s) short of its Content-Length'),
    });

    const longInOne = await busyTunnel();
    longInOne.tunnel.call.write({
      head: { status: 200, headers: [{ name: 'content-length', values: ['1'] }] },
      body: Buffer.from('{}'),
      end: true,
    });
    await expect(longInOne.answered).rejects.toMatchObject({
      message: expect.stringContaining('the response body is longer than its Content-Length (1 bytes)'),
    });
    await expectOthersServed();
  });

  it('ends a busy tunnel that sends a second head (KAS_FRAME_OUT_OF_ORDER)', async () => {
    kas = await startKas();
    const { tunnel } = await busyTunnel();
    tunnel.call.write({ head: { status: 200, headers: [] }, body: EMPTY_BODY, end: false });
    tunnel.call.write({ head: { status: 500, headers: [] }, body: EMPTY_BODY, end: false });
    expect((await tunnel.status).details).toMatch(/a second head$/);
    await expectOthersServed();
  });

  it('ends a tunnel that sends a frame carrying nothing known (KAS_FRAME_UNKNOWN)', async () => {
    kas = await startKas();
    const { tunnel } = await busyTunnel();
    // Field 9 is not in this protocol: a newer peer's frame decodes as an empty one.
    tunnel.call.write(Buffer.from([0x48, 0x01]));
    const ended = await tunnel.status;
    expect(ended.code).toBe(status.INVALID_ARGUMENT);
    expect(ended.details).toMatch(/^KAS_FRAME_UNKNOWN: /);
    expect(kas.server.counters()['tunnels.refused.KAS_FRAME_UNKNOWN']).toBe(1);
    await expectOthersServed();
  });

  it('ends a tunnel that sends a message over the size limit with RESOURCE_EXHAUSTED (KAS_FRAME_TOO_LARGE)', async () => {
    kas = await startKas({ maxMessageBytes: 256 * 1024 });
    const { tunnel, answered } = await busyTunnel();
    const oversized = AgentMessage.encode({
      body: Buffer.alloc(300 * 1024),
      end: false,
      heartbeat: false,
    }).finish();
    tunnel.call.write(Buffer.from(oversized));
    const ended = await tunnel.status;
    expect(ended.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(ended.details).toMatch(
      /^KAS_FRAME_TOO_LARGE: AgentMessage of \d+ bytes is over the maximum message size of 262144 bytes/,
    );
    await expect(answered).rejects.toMatchObject({ code: 'KAS_AGENT_ANSWER_INVALID' });
    expect(kas.logs.find((log) => log.event === 'tunnel.refused')).toMatchObject({
      code: 'KAS_FRAME_TOO_LARGE',
    });
    await expectOthersServed();
  });

  it('a message over twice the size limit, refused by grpc-js itself, is one warning naming the agent and the limit, and counted apart from cancelled tunnels', async () => {
    kas = await startKas({ maxMessageBytes: 256 * 1024 });
    const { tunnel, answered } = await busyTunnel();
    // Over grpc-js's receive limit (twice maxMessageBytes, 512 KiB): refused before kas's code sees it.
    const oversized = AgentMessage.encode({
      body: Buffer.alloc(600 * 1024),
      end: false,
      heartbeat: false,
    }).finish();
    tunnel.call.write(Buffer.from(oversized));
    const ended = await tunnel.status;
    expect(ended.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(ended.details).toMatch(/^Received message larger than max \(\d+ vs\.? 524288\)/);
    await expect(answered).rejects.toMatchObject({
      code: 'KAS_AGENT_ANSWER_INVALID',
      message: expect.stringContaining('ended by grpc-js'),
    });
    expect(kas.server.counters()).toMatchObject({ 'tunnels.endedByGrpc': 1 });
    expect(kas.server.counters()['tunnels.cancelled']).toBeUndefined();
    // Logged once the status has left kas's side of the stream: one line.
    const warning = await eventually(
      () => kas.logs.find((log) => log.event === 'tunnel.endedByGrpc') ?? false,
    );
    expect(kas.logs.filter((log) => log.event === 'tunnel.endedByGrpc')).toHaveLength(1);
    expect(warning).toMatchObject({
      level: 40,
      agentId: 'agent-1',
      grpcStatus: 'RESOURCE_EXHAUSTED',
      maxMessageBytes: 256 * 1024,
      receiveLimitBytes: 512 * 1024,
    });
    expect(warning.msg).toMatch(
      /^tunnel of agent "agent-1" ended by grpc-js with RESOURCE_EXHAUSTED \(Received message larger than max .*\): the agent sent a message over 524288 bytes, twice agentGrpc\.maxMessageBytes \(262144\)/,
    );
    await expectOthersServed();
  });

  it('a request that crosses the agent half-closing its idle tunnel (agentk stopping) fails as a broken tunnel (KAS_TUNNEL_BROKEN: the kube proxy sends a GET again), not as a protocol violation (it was a 502)', async () => {
    kas = await startKas();
    const tunnel = await openRegisteredTunnel(connect(), AGENT_TOKENS['agent-1']);
    const taken = await kas.registry.acquire('agent-1', { timeoutMs: 1_000 });
    // kas sends the request as the agent, which saw the tunnel idle, half-closes it: it never takes it.
    const answered = taken.roundTrip(GET, undefined, new AbortController().signal);
    answered.catch(() => {});
    tunnel.call.end();
    await expect(answered).rejects.toMatchObject({
      code: 'KAS_TUNNEL_BROKEN',
      message: expect.stringContaining('closed the tunnel before it took the request'),
    });
    expect((await tunnel.status).code).toBe(status.OK);
    expect(kas.server.counters()).toMatchObject({ 'tunnels.finished': 1 });
    expect(kas.server.counters()['tunnels.refused.KAS_FRAME_OUT_OF_ORDER']).toBeUndefined();
    expect(kas.logs.filter((log) => Number(log.level) >= 40)).toEqual([]);
    await expectOthersServed();
  });

  it('a busy tunnel the agent cancels is counted as cancelled, not as ended by grpc-js, and logs no warning', async () => {
    kas = await startKas();
    const { tunnel, answered } = await busyTunnel();
    tunnel.call.cancel();
    await expect(answered).rejects.toMatchObject({
      code: 'KAS_TUNNEL_BROKEN',
      message: expect.stringContaining('the agent cancelled it'),
    });
    expect(kas.server.counters()).toMatchObject({ 'tunnels.cancelled': 1 });
    expect(kas.server.counters()['tunnels.endedByGrpc']).toBeUndefined();
    expect(kas.logs.filter((log) => Number(log.level) >= 40)).toEqual([]);
  });
});
