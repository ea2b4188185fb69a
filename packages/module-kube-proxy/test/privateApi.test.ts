import { once } from 'node:events';
import { connect as netConnect } from 'node:net';
import { Client, credentials, Metadata, status } from '@grpc/grpc-js';
import { createDevCertificates } from '@kas/dev-certificates';
import { MemoryTunnelTable, ReplicaIdentityToken } from '@kas/module-tunnel-tracker';
import { eventually, readHttp2Windows } from '@kas/testkit';
import {
  createForwardMethod,
  EMPTY_BODY,
  FLOW_CONTROL_WINDOW,
  FORWARD_METADATA,
  FORWARD_V1_PATH,
  type ForwardReply,
  type ForwardRequest,
  type RequestFrame,
} from '@kas/tunnel-protocol';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ReplicaForwarder } from '../src/forward/ReplicaForwarder.js';
import { PRIVATE_API_SECRET } from './support/identities.js';
import { startAgent, startCluster, type TestAgent, type TestCluster } from './support/startCluster.js';
import { type KasReplica, startKasReplica } from './support/startKasReplica.js';

const method = createForwardMethod();
const GET_VERSION: RequestFrame = {
  head: { method: 'GET', path: '/version', query: '', headers: [], upgrade: '' },
  body: EMPTY_BODY,
  end: true,
};
const getVersionOf = (agentId: string): ForwardRequest => ({
  target: { agentId, tunnelWaitMs: 1_000 },
  frame: GET_VERSION,
  heartbeat: false,
});

/** A raw Forward call, as another replica would open it: what it received, and how it ended. */
interface RawCall {
  readonly replies: ForwardReply[];
  send(message: ForwardRequest): void;
  /** Resolves when `count` replies have arrived. */
  repliesAtLeast(count: number): Promise<ForwardReply[]>;
  readonly ended: Promise<{ readonly code: number; readonly details: string }>;
  end(): void;
  cancel(): void;
}

describe('the private API, as another replica calls it', () => {
  let cluster: TestCluster;
  let kas: KasReplica;
  let agent: TestAgent;
  let client: Client;
  const table = new MemoryTunnelTable();

  const open = (authorization: string | undefined, path = method.path): RawCall => {
    const metadata = new Metadata();
    if (authorization !== undefined) metadata.set(FORWARD_METADATA.authorization, authorization);
    const call = client.makeBidiStreamRequest(
      path,
      method.requestSerialize,
      method.responseDeserialize,
      metadata,
    );
    const replies: ForwardReply[] = [];
    call.on('data', (reply: ForwardReply) => replies.push(reply));
    call.on('error', () => {});
    const ended = new Promise<{ code: number; details: string }>((resolve) =>
      call.on('status', (ending) => resolve({ code: ending.code, details: ending.details })),
    );
    return {
      replies,
      send: (message) => call.write(message),
      repliesAtLeast: (count) => eventually(() => replies.length >= count && replies),
      ended,
      end: () => call.end(),
      cancel: () => call.cancel(),
    };
  };
  const authorized = `Bearer ${PRIVATE_API_SECRET}`;
  const bodyOf = (replies: readonly ForwardReply[]) =>
    Buffer.concat(replies.map((reply) => reply.frame?.body ?? EMPTY_BODY)).toString();

  beforeAll(async () => {
    cluster = await startCluster(await createDevCertificates());
    kas = await startKasReplica({
      replicaId: 'kas-a',
      tls: cluster.certificates.server,
      directory: { table },
    });
    agent = await startAgent(cluster.upstream, [kas.agentAddress]);
    await eventually(() => kas.registry.hasAgent('agent-1'));
    client = new Client(kas.privateApi.address, credentials.createInsecure());
  });
  afterAll(async () => {
    client?.close();
    await agent?.app.stop();
    await kas?.kas.stop();
    await cluster?.stop();
  });

  it('provides the replica identity the tunnel tracker advertises: its id and where the private API listens', async () => {
    expect(kas.kas.app.get(ReplicaIdentityToken)).toMatchObject({
      id: 'kas-a',
      privateAddress: kas.privateApi.address,
    });
    await eventually(() => table.liveEntries('agent-1').length === 1);
    expect(table.liveEntries('agent-1')[0]).toMatchObject({
      replicaId: 'kas-a',
      privateAddress: kas.privateApi.address,
    });
  });

  it('lets a calling replica have 1 MiB per call on its way (a forwarded upload does not wait for a window update every 64 KiB)', async () => {
    expect(await readHttp2Windows(kas.privateApi.address)).toEqual({
      streamBytes: FLOW_CONTROL_WINDOW.streamBytes,
      connectionBytes: FLOW_CONTROL_WINDOW.connectionBytes,
    });
  });

  it('answers forwarded GETs through a local tunnel, one after the other on one call', async () => {
    const call = open(authorized);
    call.send(getVersionOf('agent-1'));
    const first = await eventually(() => call.replies.some((reply) => reply.frame?.end) && call.replies);
    expect(first[0]).toMatchObject({ tunnelAcquired: true, frame: { head: { status: 200 } } });
    expect(JSON.parse(bodyOf(first))).toMatchObject({ gitVersion: 'v1.32.4-fake' });
    const firstCount = first.length;

    call.send(getVersionOf('agent-1')); // the call is idle again: the next exchange follows
    const both = await eventually(
      () => call.replies.filter((reply) => reply.frame?.end).length === 2 && call.replies,
    );
    expect(both[firstCount]).toMatchObject({ tunnelAcquired: true, frame: { head: { status: 200 } } });
    expect(JSON.parse(bodyOf(both.slice(firstCount)))).toMatchObject({ gitVersion: 'v1.32.4-fake' });

    call.end(); // an idle call the caller no longer wants: the callee ends it with OK
    expect(await call.ended).toMatchObject({ code: status.OK });
  });

  it('carries 40 exchanges on one call without leaving a listener behind on its abort signal', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const call = open(authorized);
      for (let count = 1; count <= 40; count++) {
        call.send(getVersionOf('agent-1'));
        await eventually(() => call.replies.filter((reply) => reply.frame?.end).length === count);
      }
      call.end();
      expect(await call.ended).toMatchObject({ code: status.OK });
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on a later tick
      expect(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('refuses a call without the secret, or with a wrong one, as UNAUTHENTICATED', async () => {
    for (const authorization of [undefined, 'Bearer wrong-secret-of-some-length', PRIVATE_API_SECRET]) {
      const call = open(authorization);
      call.send(getVersionOf('agent-1'));
      const ended = await call.ended;
      expect(ended).toMatchObject({ code: status.UNAUTHENTICATED });
      expect(ended.details).toMatch(/^KAS_PRIVATE_API_UNAUTHENTICATED/);
      expect(call.replies).toEqual([]);
    }
  });

  it('answers an agent without a tunnel here with one error frame, so the caller tries elsewhere, and keeps the call', async () => {
    const call = open(authorized);
    call.send({
      target: { agentId: 'agent-2', tunnelWaitMs: 0 },
      frame: { ...GET_VERSION, end: false },
      heartbeat: false,
    });
    const [refusal] = await call.repliesAtLeast(1);
    expect(refusal).toMatchObject({
      tunnelAcquired: false,
      frame: { error: { code: 'KAS_TUNNEL_UNAVAILABLE' } },
    });
    // Refused before its body: the caller sends nothing more of it, and the call carries the next request.
    call.send(getVersionOf('agent-1'));
    const replies = await eventually(() => call.replies.some((reply) => reply.frame?.end) && call.replies);
    expect(replies[1]).toMatchObject({ tunnelAcquired: true, frame: { head: { status: 200 } } });
    call.end();
    expect(await call.ended).toMatchObject({ code: status.OK });
  });

  it('resets a connection that stays silent without a Forward call at handshakeTimeout, and keeps a quiet one that carries a call', async () => {
    const replica = await startKasReplica({
      replicaId: 'kas-h',
      tls: cluster.certificates.server,
      directory: { table: new MemoryTunnelTable() },
      privateApi: { handshakeTimeout: '300ms' },
    });
    const quiet = new Client(replica.privateApi.address, credentials.createInsecure());
    try {
      const metadata = new Metadata();
      metadata.set(FORWARD_METADATA.authorization, authorized);
      const call = quiet.makeBidiStreamRequest(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        metadata,
      );
      const replies: ForwardReply[] = [];
      call.on('data', (reply: ForwardReply) => replies.push(reply));
      call.on('error', () => {});
      await eventually(() => replica.privateApi.counters().calls === 1); // the call is open, and quiet
      const [host, port] = replica.privateApi.address.split(':');
      const silent = netConnect(Number(port), host);
      silent.on('error', () => {}); // the reset kas answers with
      await once(silent, 'connect');
      await new Promise((resolve) => silent.once('close', resolve)); // reset at handshakeTimeout: it never spoke
      // The call's connection has been quiet at least as long, and still carries the call.
      call.write({
        target: { agentId: 'agent-absent', tunnelWaitMs: 0 },
        frame: { ...GET_VERSION, end: false },
        heartbeat: false,
      });
      await eventually(() => replies.length >= 1);
      expect(replies[0]).toMatchObject({
        tunnelAcquired: false,
        frame: { error: { code: 'KAS_TUNNEL_UNAVAILABLE' } },
      });
      call.end();
    } finally {
      quiet.close();
      await replica.kas.stop();
    }
  });

  it('ends a call that breaks the protocol with INVALID_ARGUMENT naming the rule', async () => {
    const bodyFirst = open(authorized);
    bodyFirst.send({
      target: { agentId: 'agent-1', tunnelWaitMs: 0 },
      frame: { body: Buffer.from('a body before the head'), end: false },
      heartbeat: false,
    });
    const bodyFirstEnd = await bodyFirst.ended;
    expect(bodyFirstEnd.code).toBe(status.INVALID_ARGUMENT);
    expect(bodyFirstEnd.details).toMatch(/^KAS_FRAME_OUT_OF_ORDER: request frames out of order/);

    const noTarget = open(authorized);
    noTarget.send({ frame: GET_VERSION, heartbeat: false });
    expect(await noTarget.ended).toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringMatching(/^KAS_FRAME_OUT_OF_ORDER: an exchange must begin with a target/),
    });

    const noAgent = open(authorized);
    noAgent.send({ target: { agentId: '', tunnelWaitMs: 0 }, frame: GET_VERSION, heartbeat: false });
    expect(await noAgent.ended).toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: 'KAS_FRAME_MALFORMED: a target without an agent id',
    });
  });

  it('answers a caller of version 1 with UNIMPLEMENTED naming the version it serves', async () => {
    const call = open(authorized, FORWARD_V1_PATH);
    call.send(getVersionOf('agent-1'));
    expect(await call.ended).toMatchObject({
      code: status.UNIMPLEMENTED,
      details: expect.stringContaining('kas.privateapi.v2.ForwardService'),
    });
  });

  /** One GET of /version through `forwarder` to the replica at `privateAddress`: the status, or the error code. */
  const ask = (forwarder: ReplicaForwarder, privateAddress: string, agentId: string) =>
    forwarder
      .tunnelTo({ id: 'kas-a', privateAddress }, agentId, 0)
      .roundTrip(
        { method: 'GET', path: '/version', query: '', headers: {} },
        undefined,
        new AbortController().signal,
      )
      .then(
        async (response) => {
          for await (const _ of response.body);
          return response.status;
        },
        (error: { code: string }) => error.code,
      );

  it('keeps one channel per replica address, reuses its calls, and closes one nobody used for ten minutes', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const forwarder = new ReplicaForwarder(PRIVATE_API_SECRET, 10_000);
    const callsBefore = kas.privateApi.counters().calls;
    const address = kas.privateApi.address;
    try {
      expect(await ask(forwarder, address, 'agent-2')).toBe('KAS_FORWARD_REFUSED');
      expect(await ask(forwarder, address, 'agent-1')).toBe(200);
      expect(await ask(forwarder, address, 'agent-2')).toBe('KAS_FORWARD_REFUSED');
      expect(await ask(forwarder, address, 'agent-1')).toBe(200);
      expect(forwarder.channelCount()).toBe(1);
      expect(forwarder.counts()).toEqual({ opened: 1, reused: 3 });
      expect(kas.privateApi.counters().calls - callsBefore).toBe(1);

      vi.setSystemTime(Date.now() + 11 * 60_000);
      const sameReplicaOtherName = `dns:///${address}`;
      expect(await ask(forwarder, sameReplicaOtherName, 'agent-2')).toBe('KAS_FORWARD_REFUSED');
      expect(forwarder.channelCount()).toBe(1);
      // The pruned channel's idle call was half-closed: the callee ended it.
      await eventually(() => kas.privateApi.openCalls() === 1);
    } finally {
      forwarder.close();
      vi.useRealTimers();
    }
    await eventually(() => kas.privateApi.openCalls() === 0);
  });

  it('opens calls for a burst, and half-closes those idle for a minute beyond the one it keeps warm', async () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const forwarder = new ReplicaForwarder(PRIVATE_API_SECRET, 10_000);
    const address = kas.privateApi.address;
    try {
      const burst = await Promise.all(Array.from({ length: 3 }, () => ask(forwarder, address, 'agent-1')));
      expect(burst).toEqual([200, 200, 200]);
      expect(forwarder.streamCount(address)).toBe(3);
      await eventually(() => kas.privateApi.openCalls() === 3);

      vi.advanceTimersByTime(61_000);
      expect(await ask(forwarder, address, 'agent-1')).toBe(200); // trims before it takes a call
      expect(forwarder.streamCount(address)).toBe(1);
      await eventually(() => kas.privateApi.openCalls() === 1);
      expect(forwarder.counts()).toEqual({ opened: 3, reused: 1 });
    } finally {
      forwarder.close();
      vi.useRealTimers();
    }
    await eventually(() => kas.privateApi.openCalls() === 0);
  });

  it('keeps counting what happened', () => {
    // The sum of the tests above (the 40 exchanges on one call among them).
    expect(kas.privateApi.counters()).toMatchObject({
      answered: 49,
      refused: 4,
      failed: 0,
      calls: 11,
      unauthenticated: 3,
      invalid: 3,
    });
    expect(kas.privateApi.activeForwards()).toBe(0);
  });

  it('logs refused calls with their code, a flood of them as a few lines and a summary, and counts every one', async () => {
    const lines = (event: string) => kas.logs.lines.filter((line) => line.event === event);
    expect(lines('privateApi.callRefused').length).toBeGreaterThan(0);
    for (const line of lines('privateApi.callRefused')) expect(line.code).toMatch(/^KAS_FRAME_/);
    const before = kas.privateApi.counters().unauthenticated;
    await Promise.all(
      Array.from({ length: 40 }, async () => {
        const call = open('Bearer wrong-secret-of-some-length');
        call.send(getVersionOf('agent-1'));
        expect(await call.ended).toMatchObject({ code: status.UNAUTHENTICATED });
      }),
    );
    expect(kas.privateApi.counters().unauthenticated).toBe(before + 40);
    const oneByOne = lines('privateApi.unauthenticated');
    for (const line of oneByOne) expect(line.code).toBe('KAS_PRIVATE_API_UNAUTHENTICATED');
    // At most 5 refusals of each 10 s are lines of their own (two intervals on a slow machine).
    expect(oneByOne.length + lines('privateApi.callRefused').length).toBeLessThanOrEqual(10);
    await kas.kas.stop(); // writes the summary of what was counted
    const summed = lines('privateApi.refusedSummary').reduce(
      (total, line) =>
        total + ((line.byReason as Record<string, number>).KAS_PRIVATE_API_UNAUTHENTICATED ?? 0),
      0,
    );
    expect(oneByOne.length + summed).toBe(before + 40);
  });
});
