import { Client, credentials, Metadata, status } from '@grpc/grpc-js';
import { createDevCertificates } from '@kas/dev-certificates';
import { MemoryTunnelTable, ReplicaIdentityToken } from '@kas/module-tunnel-tracker';
import { eventually } from '@kas/testkit';
import {
  createForwardMethod,
  EMPTY_BODY,
  FORWARD_METADATA,
  type RequestFrame,
  type ResponseFrame,
} from '@kas/tunnel-protocol';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ReplicaForwarder } from '../src/forward/ReplicaForwarder.js';
import { PRIVATE_API_SECRET } from './support/identities.js';
import { startAgent, startCluster, type TestAgent, type TestCluster } from './support/startCluster.js';
import { type KasReplica, startKasReplica } from './support/startKasReplica.js';

const method = createForwardMethod();
const GET_VERSION: RequestFrame = {
  head: { method: 'GET', path: '/version', query: '', headers: [] },
  body: EMPTY_BODY,
  end: true,
};

/** What a raw Forward call received: its frames and how it ended. */
interface ForwardOutcome {
  readonly frames: ResponseFrame[];
  readonly status: { readonly code: number; readonly details: string };
}

describe('the private API, as another replica calls it', () => {
  let cluster: TestCluster;
  let kas: KasReplica;
  let agent: TestAgent;
  let client: Client;
  const table = new MemoryTunnelTable();

  const forward = (
    frames: readonly RequestFrame[],
    metadataOf: Record<string, string>,
  ): Promise<ForwardOutcome> =>
    new Promise((resolve) => {
      const metadata = new Metadata();
      for (const [key, value] of Object.entries(metadataOf)) metadata.set(key, value);
      const call = client.makeBidiStreamRequest(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        metadata,
      );
      const received: ResponseFrame[] = [];
      call.on('data', (frame: ResponseFrame) => received.push(frame));
      call.on('error', () => {});
      call.on('status', (ending) =>
        resolve({ frames: received, status: { code: ending.code, details: ending.details } }),
      );
      for (const frame of frames) call.write(frame);
      call.end();
    });
  const authorized = {
    [FORWARD_METADATA.authorization]: `Bearer ${PRIVATE_API_SECRET}`,
    [FORWARD_METADATA.agentId]: 'agent-1',
  };

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

  it('answers a forwarded GET through a local tunnel', async () => {
    const outcome = await forward([GET_VERSION], authorized);
    expect(outcome.status.code).toBe(status.OK);
    expect(outcome.frames[0]?.head?.status).toBe(200);
    expect(outcome.frames.at(-1)?.end).toBe(true);
    const body = Buffer.concat(outcome.frames.map((frame) => frame.body)).toString();
    expect(JSON.parse(body)).toMatchObject({ gitVersion: 'v1.32.4-fake' });
  });

  it('refuses a call without the secret, or with a wrong one, as UNAUTHENTICATED', async () => {
    for (const authorization of [undefined, 'Bearer wrong-secret-of-some-length', PRIVATE_API_SECRET]) {
      const metadata: Record<string, string> = { [FORWARD_METADATA.agentId]: 'agent-1' };
      if (authorization !== undefined) metadata[FORWARD_METADATA.authorization] = authorization;
      const outcome = await forward([GET_VERSION], metadata);
      expect(outcome.status).toMatchObject({ code: status.UNAUTHENTICATED });
      expect(outcome.status.details).toMatch(/^KAS_PRIVATE_API_UNAUTHENTICATED/);
    }
  });

  it('answers an agent without a tunnel here with one error frame, so the caller tries elsewhere', async () => {
    const outcome = await forward([GET_VERSION], { ...authorized, [FORWARD_METADATA.agentId]: 'agent-2' });
    expect(outcome.status.code).toBe(status.OK);
    expect(outcome.frames).toHaveLength(1);
    expect(outcome.frames[0]?.error).toMatchObject({ code: 'KAS_TUNNEL_UNAVAILABLE' });
  });

  it('ends a call that breaks the frame order with INVALID_ARGUMENT naming the rule', async () => {
    const outcome = await forward([{ body: Buffer.from('a body before the head'), end: false }], authorized);
    expect(outcome.status.code).toBe(status.INVALID_ARGUMENT);
    expect(outcome.status.details).toMatch(/^KAS_FRAME_OUT_OF_ORDER: request frames out of order/);
    const noAgent = await forward([GET_VERSION], {
      [FORWARD_METADATA.authorization]: `Bearer ${PRIVATE_API_SECRET}`,
    });
    expect(noAgent.status).toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: 'no kas-agent-id metadata',
    });
  });

  it('keeps one channel per replica address, and closes one nobody used for ten minutes', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const forwarder = new ReplicaForwarder(PRIVATE_API_SECRET);
    try {
      const ask = (privateAddress: string) =>
        forwarder
          .tunnelTo({ id: 'kas-a', privateAddress }, 'agent-2', 0)
          .roundTrip(
            { method: 'GET', path: '/version', query: '', headers: {} },
            undefined,
            new AbortController().signal,
          )
          .catch((error: { code: string }) => error.code);
      expect(await ask(kas.privateApi.address)).toBe('KAS_FORWARD_REFUSED');
      expect(await ask(kas.privateApi.address)).toBe('KAS_FORWARD_REFUSED');
      expect(forwarder.channelCount()).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 50)); // the calls' statuses arrive just after their answers
      vi.setSystemTime(Date.now() + 11 * 60_000);
      const sameReplicaOtherName = `dns:///${kas.privateApi.address}`;
      expect(await ask(sameReplicaOtherName)).toBe('KAS_FORWARD_REFUSED');
      expect(forwarder.channelCount()).toBe(1);
    } finally {
      forwarder.close();
      vi.useRealTimers();
    }
  });

  it('keeps counting what happened', () => {
    expect(kas.privateApi.counters()).toMatchObject({
      answered: 1,
      refused: 4,
      failed: 1,
      unauthenticated: 3,
    });
    expect(kas.privateApi.activeForwards()).toBe(0);
  });
});
