import { text } from 'node:stream/consumers';
import { Client, credentials, Metadata } from '@grpc/grpc-js';
import { configIssuesOf } from '@kas/config';
import { createDevCertificates } from '@kas/dev-certificates';
import {
  type AgentMessage,
  createReverseTunnelMethod,
  EMPTY_BODY,
  type RequestFrame,
} from '@kas/tunnel-protocol';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AgentGrpcServerConfig,
  agentGrpcServerConfigSchema,
  agentGrpcServerModule,
} from '../src/index.js';
import { AGENT_TOKENS, startKas, type TestKas } from './support/startKas.js';

const agents = [{ id: 'agent-1', tokenSha256: 'a'.repeat(64) }];

describe('the module configuration', () => {
  it.each<[string, Partial<AgentGrpcServerConfig>, RegExp]>([
    [
      'a listen address without a port',
      { listen: 'localhost' },
      /: listen: expected host:port, such as '0\.0\.0\.0:8150'.* \(got "localhost"\)/,
    ],
    [
      'a port over 65535',
      { listen: '127.0.0.1:70000' },
      /listen: expected host:port.*\(got "127\.0\.0\.1:70000"\)/,
    ],
    [
      'a token hash that is not sha256 hex',
      { agents: [{ id: 'a', tokenSha256: 'secret' }] },
      /agents\[0\]\.tokenSha256: expected the sha256 of the token as 64 hex digits/,
    ],
    [
      'one token hash for two agents',
      { agents: [...agents, { id: 'agent-2', tokenSha256: 'A'.repeat(64) }] },
      /agents\[1\]\.tokenSha256: is also the token hash of agent "agent-1"/,
    ],
    [
      'a TLS key without a source',
      { tls: { cert: { pem: 'x' }, key: {} as { pem: string } } },
      /tls\.key: expected \{ file: '\/etc\/kas\/tls\.crt' \} or \{ pem: /,
    ],
    [
      'a tiny maximum message size',
      { maxMessageBytes: 1024 },
      /maxMessageBytes: expected at least 131072 .*got 1024/,
    ],
    ['a zero tunnel limit', { maxTunnelsPerAgent: 0 }, /maxTunnelsPerAgent: expected more than 0 \(got 0\)/],
    [
      'a drain budget that is not a duration',
      { drainBudget: 'soon' as '1h' },
      /drainBudget: expected a duration: milliseconds, or a string such as '500ms'.* \(got "soon"\)/,
    ],
    [
      'a negative idle-tunnel timeout',
      { idleTunnelTimeout: -1 },
      /idleTunnelTimeout: expected a duration.*\(got -1\)/,
    ],
    ['a zero keepalive', { keepalive: { time: 0 } }, /keepalive\.time: expected a duration longer than 0/],
    [
      'a misspelt key',
      { acquireTimeoutMs: 10 } as Partial<AgentGrpcServerConfig>,
      /acquireTimeoutMs: unknown key \(known here: listen, agents, tls, keepalive, .*acquireTimeout, /,
    ],
  ])('refuses %s with KAS_INVALID_CONFIG naming the key and what it expects', (_, override, message) => {
    expect(() => agentGrpcServerModule({ listen: '127.0.0.1:0', agents, ...override })).toThrow(
      expect.objectContaining({
        code: 'KAS_INVALID_CONFIG',
        message: expect.stringMatching(/^agent-grpc-server config: /),
      }),
    );
    expect(() => agentGrpcServerModule({ listen: '127.0.0.1:0', agents, ...override })).toThrow(message);
  });

  it('fills in the defaults, and carries the key paths of what it refused for the app to point at', () => {
    expect(agentGrpcServerModule({ listen: '127.0.0.1:0', agents }).drainBudget).toBe(3_600_000);
    expect(agentGrpcServerConfigSchema.parse({ listen: '[::1]:0', agents })).toMatchObject({
      keepalive: { time: 30_000, timeout: 10_000 },
      maxMessageBytes: 4 * 1024 * 1024,
      maxTunnelsPerAgent: 500,
      acquireTimeout: 10_000,
      idleTunnelTimeout: 60_000,
    });
    let refused: unknown;
    try {
      agentGrpcServerModule({ listen: '8150', agents, acquireTimeout: 'later' as '1s' });
    } catch (error) {
      refused = error;
    }
    expect(configIssuesOf(refused)?.map((issue) => issue.path)).toEqual([['listen'], ['acquireTimeout']]);
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
      descriptor: { services: [], agentVersion: 'test', idleTunnels: 0, upgrades: false, heartbeats: false },
      body: EMPTY_BODY,
      end: false,
      heartbeat: false,
    });
    const tunnel = await kas.registry.acquire('agent-1', { timeoutMs: 5_000 });
    const answered = tunnel.roundTrip(
      { method: 'GET', path: '/', query: '', headers: {} },
      undefined,
      new AbortController().signal,
    );
    call.once('data', () =>
      call.write({
        head: { status: 200, headers: [] },
        body: Buffer.from('tls'),
        end: true,
        heartbeat: false,
      }),
    );
    expect(await text((await answered).body)).toBe('tls');
  });
});
