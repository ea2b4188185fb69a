import { once } from 'node:events';
import { connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { MemoryTunnelTable } from '@kas/module-tunnel-tracker';
import { eventually, openStream, send } from '@kas/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeProxyError, kubeProxyModule, userToken } from '../src/index.js';
import { PRIVATE_API_SECRET, USER_SECRETS, USERS } from './support/identities.js';
import { startAgent, startCluster, type TestAgent, type TestCluster } from './support/startCluster.js';
import { type EchoApi, startEchoApi } from './support/startEchoApi.js';
import { type KasReplica, startKasReplica } from './support/startKasReplica.js';

describe("the kube proxy listener's limits, as a client meets them", () => {
  let cluster: TestCluster;
  let echo: EchoApi;
  let kas: KasReplica;
  let agent: TestAgent;
  let ca: string;
  const bob = userToken('agent-3', USER_SECRETS.bob);
  const url = (path: string) => `${kas.proxy.url}${path}`;

  beforeAll(async () => {
    cluster = await startCluster();
    ca = cluster.certificates.ca.cert;
    echo = await startEchoApi(cluster.certificates.server);
    kas = await startKasReplica({
      tls: cluster.certificates.server,
      directory: { table: new MemoryTunnelTable() },
      kubeProxy: { responseHeaderTimeout: '1500ms', handshakeTimeout: '300ms', headersTimeout: '1s' },
    });
    agent = await startAgent({ url: echo.url, ca }, [kas.agentAddress], 'agent-3');
    await eventually(() => kas.registry.hasAgent('agent-3'));
  });
  afterAll(async () => {
    await agent?.app.stop();
    await kas?.kas.stop();
    await echo?.stop();
    await cluster?.stop();
  });

  it('answers headers over 16 KiB with 431 and a Status, instead of resetting the connection', async () => {
    const answer = await send(url('/version'), { ca, token: bob, headers: { 'x-big': 'k'.repeat(20_000) } });
    expect(answer.status).toBe(431);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(JSON.parse(answer.body)).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      code: 431,
      reason: 'RequestHeaderFieldsTooLarge',
      message: expect.stringContaining('larger than the 16 KiB kas reads'),
    });
    expect((await send(url('/version'), { ca, token: bob })).status).toBe(200);
  });

  it('answers 504 naming the agent when no answer head comes within responseHeaderTimeout, and frees the tunnel for the next request', async () => {
    const hangsBefore = echo.requests.filter((request) => request.url === '/hang').length;
    const answer = await send(url('/hang'), { ca, token: bob });
    expect(answer.status).toBe(504);
    // The connection closes after it: that is what cancels the request upstream.
    expect(answer.headers.connection).toBe('close');
    expect(JSON.parse(answer.body)).toMatchObject({
      kind: 'Status',
      code: 504,
      reason: 'Timeout',
      details: { name: 'agent-3', kind: 'agent' },
      message: expect.stringMatching(
        /^agent "agent-3" did not answer within 1s 500ms \(kubeProxy.responseHeaderTimeout\)/,
      ),
    });
    expect(echo.requests.filter((request) => request.url === '/hang')).toHaveLength(hangsBefore + 1);
    expect(kas.logs.lines).toContainEqual(
      expect.objectContaining({ event: 'request.headTimeout', agentId: 'agent-3', timeoutMs: 1500 }),
    );
    // The tunnel it held was released: the agent answers the next request.
    await eventually(() => kas.metrics.snapshot().inFlight === 0);
    expect((await send(url('/version'), { ca, token: bob })).status).toBe(200);
  });

  it('does not cut an answer whose head came in time, however long its body takes', async () => {
    const stream = await openStream(url('/slow-head'), { ca, token: bob });
    expect(stream.status).toBe(200);
    expect(await stream.ended).toBe('end');
    expect(stream.lines).toEqual(['head came', 'body done']);
    expect(kas.logs.lines.filter((line) => line.event === 'request.headTimeout')).toHaveLength(1); // /hang's
  });

  it('answers a client that never finishes its headers with 408 and a Status at headersTimeout, and closes its connection', async () => {
    const [host, port] = kas.proxy.address.split(':');
    const socket = tlsConnect({ host, port: Number(port), ca });
    await once(socket, 'secureConnect');
    // A slow client (or a slowloris): the request line and one header, and never the empty line.
    socket.write(`GET /version HTTP/1.1\r\nHost: kas\r\nAuthorization: Bearer ${bob}\r\n`);
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString();
    });
    await once(socket, 'close');
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    expect(received).toMatch(/connection: close/i);
    expect(JSON.parse(received.slice(received.indexOf('\r\n\r\n') + 4))).toMatchObject({
      kind: 'Status',
      code: 408,
      reason: 'Timeout',
      message: expect.stringContaining('headersTimeout'),
    });
  });

  it('closes a connection that never starts its TLS handshake at handshakeTimeout', async () => {
    const [host, port] = kas.proxy.address.split(':');
    const socket = connect(Number(port), host);
    await once(socket, 'connect');
    await once(socket, 'close'); // kas closed it: the client sent nothing
    expect(socket.destroyed).toBe(true);
  });

  it('refuses a requestTimeout shorter than headersTimeout', () => {
    const build = () =>
      kubeProxyModule({
        listen: '127.0.0.1:0',
        plainHttp: true,
        users: USERS,
        privateApiSecret: PRIVATE_API_SECRET,
        headersTimeout: '60s',
        requestTimeout: '10s',
      });
    expect(build).toThrow(KubeProxyError);
    expect(build).toThrow('requestTimeout: must not be shorter than headersTimeout (10s is below 1m)');
  });
});
