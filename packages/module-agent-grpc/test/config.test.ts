import { text } from 'node:stream/consumers';
import { Client, credentials, Metadata } from '@grpc/grpc-js';
import { createDevCertificates } from '@kas/dev-certificates';
import {
  type AgentMessage,
  createReverseTunnelMethod,
  EMPTY_BODY,
  type RequestFrame,
} from '@kas/tunnel-protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { type AgentGrpcServerConfig, agentGrpcServerModule } from '../src/index.js';
import { AGENT_TOKENS, startKas, type TestKas } from './support/startKas.js';

const agents = [{ id: 'agent-1', tokenSha256: 'a'.repeat(64) }];

describe('the module configuration', () => {
  it.each<[string, Partial<AgentGrpcServerConfig>, RegExp]>([
    ['a listen address without a port', { listen: 'localhost' }, /listen "localhost" is not host:port/],
    ['a port over 65535', { listen: '127.0.0.1:70000' }, /listen/],
    [
      'a token hash that is not sha256 hex',
      { agents: [{ id: 'a', tokenSha256: 'secret' }] },
      /agents\[0\]\.tokenSha256/,
    ],
    [
      'one token hash for two agents',
      { agents: [...agents, { id: 'agent-2', tokenSha256: 'A'.repeat(64) }] },
      /also the token hash of agent "agent-1"/,
    ],
    ['a TLS key without a source', { tls: { cert: { pem: 'x' }, key: {} as { pem: string } } }, /tls\.key/],
    ['a tiny maximum message size', { maxMessageBytes: 1024 }, /maxMessageBytes 1024 is below 131072/],
    ['a zero tunnel limit', { maxTunnelsPerAgent: 0 }, /maxTunnelsPerAgent/],
    ['a drain budget that is not a duration', { drainBudget: 'soon' as '1h' }, /drainBudget/],
    [
      'a negative idle-tunnel timeout',
      { idleTunnelTimeoutMs: -1 },
      /idleTunnelTimeoutMs -1 is not a whole number of milliseconds/,
    ],
  ])('refuses %s with KAS_INVALID_CONFIG', (_, override, message) => {
    expect(() => agentGrpcServerModule({ listen: '127.0.0.1:0', agents, ...override })).toThrow(
      expect.objectContaining({ code: 'KAS_INVALID_CONFIG', message: expect.stringMatching(message) }),
    );
  });

  it('fails to start with KAS_INVALID_CONFIG naming an unreadable certificate file', async () => {
    await expect(
      startKas({ tls: { cert: { file: '/nonexistent/kas.pem' }, key: { file: '/nonexistent/kas.key' } } }),
    ).rejects.toMatchObject({
      cause: { code: 'KAS_INVALID_CONFIG', message: expect.stringMatching(/\/nonexistent\/kas\.pem/) },
    });
  });
});

describe('TLS', () => {
  let kas: TestKas;
  let client: Client;
  afterEach(async () => {
    client?.close();
    await kas?.kas.stop();
  });

  it('serves tunnels over TLS when a certificate and key are configured', async () => {
    const certificates = await createDevCertificates(1);
    kas = await startKas({
      tls: { cert: { pem: certificates.server.cert }, key: { pem: certificates.server.key } },
    });
    const port = kas.server.address.split(':').at(-1);
    client = new Client(`localhost:${port}`, credentials.createSsl(Buffer.from(certificates.ca.cert)));
    const method = createReverseTunnelMethod(1024 * 1024);
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${AGENT_TOKENS['agent-1']}`);
    const call = client.makeBidiStreamRequest<AgentMessage, RequestFrame>(
      method.path,
      method.requestSerialize,
      method.responseDeserialize as (bytes: Buffer) => RequestFrame,
      metadata,
    );
    call.on('error', () => {});
    call.write({
      descriptor: { services: [], agentVersion: 'test', idleTunnels: 0 },
      body: EMPTY_BODY,
      end: false,
    });
    const tunnel = await kas.registry.acquire('agent-1', { timeoutMs: 5_000 });
    const answered = tunnel.roundTrip(
      { method: 'GET', path: '/', query: '', headers: {} },
      undefined,
      new AbortController().signal,
    );
    call.once('data', () =>
      call.write({ head: { status: 200, headers: [] }, body: Buffer.from('tls'), end: true }),
    );
    expect(await text((await answered).body)).toBe('tls');
  });
});
