import { once } from 'node:events';
import { connect } from 'node:net';
import { MemoryTunnelTable } from '@kas/module-tunnel-tracker';
import { send } from '@kas/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ANONYMOUS_LINES_PER_INTERVAL } from '../src/auth/RefusedRequestLog.js';
import { userToken } from '../src/index.js';
import { USER_SECRETS } from './support/identities.js';
import { startCluster, type TestCluster } from './support/startCluster.js';
import { type KasReplica, startKasReplica } from './support/startKasReplica.js';

describe('what an operator reads of clients the kube proxy refuses (a flood of 401s, malformed requests, failed TLS handshakes): every one counted, a flood not copied into the log', () => {
  let cluster: TestCluster;
  let kas: KasReplica;
  let ca: string;
  const url = (path: string) => `${kas.proxy.url}${path}`;
  const lines = (event: string) => kas.logs.lines.filter((line) => line.event === event);
  const requestsWithStatus = (status: number) => kas.metrics.snapshot().requestsByStatus[String(status)] ?? 0;

  beforeEach(async () => {
    cluster = await startCluster();
    ca = cluster.certificates.ca.cert;
    kas = await startKasReplica({
      tls: cluster.certificates.server,
      directory: { table: new MemoryTunnelTable() },
    });
  });
  afterEach(async () => {
    await kas?.kas.stop();
    await cluster?.stop();
  });

  it('logs a flood of unauthenticated requests as a few lines and a summary, counts every one, and keeps every refusal of a known user', async () => {
    const flood = 3 * ANONYMOUS_LINES_PER_INTERVAL;
    for (let sent = 0; sent < flood; sent++) {
      expect(
        (await send(url('/version'), { ca, token: userToken('agent-1', 'a-wrong-secret') })).status,
      ).toBe(401);
    }
    // Bob may not reach agent-1: a known user's refusal is the audit trail, one line each, never summed up.
    const bob = userToken('agent-1', USER_SECRETS.bob);
    for (let sent = 0; sent < 30; sent++)
      expect((await send(url('/version'), { ca, token: bob })).status).toBe(403);
    expect(requestsWithStatus(401)).toBe(flood);
    expect(requestsWithStatus(403)).toBe(30);

    const oneByOne = lines('request.denied').filter((line) => line.status === 401);
    // One interval of 10 s holds the flood, or two on a slow machine.
    expect(oneByOne.length).toBeGreaterThanOrEqual(ANONYMOUS_LINES_PER_INTERVAL);
    expect(oneByOne.length).toBeLessThanOrEqual(2 * ANONYMOUS_LINES_PER_INTERVAL);
    expect(lines('request.denied').filter((line) => line.status === 403)).toHaveLength(30);

    await kas.kas.stop(); // the stop writes the summary of what was counted
    const summaries = lines('kubeProxy.refusedSummary');
    expect(summaries.length).toBeGreaterThanOrEqual(1);
    const summed = summaries.reduce((total, line) => total + Number(line.count), 0);
    expect(oneByOne.length + summed).toBe(flood);
    expect(summaries[0]).toMatchObject({
      level: 30,
      byReason: { '401 the token is not known': summed },
      msg: expect.stringMatching(
        /^\d+ more refusals of unauthenticated or malformed requests not logged one by one \(at most 20 per 10s are\): \d+ × 401 the token is not known$/,
      ),
    });
  });

  it('answers malformed HTTP with a 400 Status, counts it in the requests by status, and logs request.malformed with the parser code', async () => {
    const [host, port] = kas.proxy.address.split(':') as [string, string];
    const { connect: tlsConnect } = await import('node:tls');
    const socket = tlsConnect({
      host,
      port: Number(port),
      ca: cluster.certificates.ca.cert,
      servername: 'localhost',
    });
    await once(socket, 'secureConnect');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => {});
    socket.write('GET /version HTTP/1.1\r\nHost: x\r\nBad Header With Spaces\r\n\r\n');
    await once(socket, 'close');
    const answer = Buffer.concat(chunks).toString('latin1');
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toContain('"reason":"BadRequest"');
    expect(kas.metrics.snapshot().requestsByStatus['400']).toBe(1);
    expect(lines('request.malformed')).toEqual([
      expect.objectContaining({
        level: 30,
        status: 400,
        code: expect.stringMatching(/^HPE_/),
        remoteAddress: '127.0.0.1',
      }),
    ]);
  });

  it('logs a TLS handshake that failed (plain HTTP sent to the HTTPS listener) as client.tlsFailed, and counts no request', async () => {
    const [host, port] = kas.proxy.address.split(':') as [string, string];
    const socket = connect(Number(port), host);
    await once(socket, 'connect');
    socket.on('error', () => {});
    socket.on('data', () => {});
    socket.write('GET /version HTTP/1.1\r\nHost: x\r\n\r\n');
    await once(socket, 'close');
    await expect
      .poll(() => lines('client.tlsFailed'))
      .toEqual([
        expect.objectContaining({
          level: 30,
          code: expect.stringMatching(/^ERR_SSL_/),
          remoteAddress: '127.0.0.1',
        }),
      ]);
    expect(lines('client.tlsFailed')[0]).toMatchObject({
      code: 'ERR_SSL_HTTP_REQUEST',
      reason: 'http request',
      msg: "a client's TLS handshake failed (http request): the client sent plain HTTP to the HTTPS listener: its server URL must begin with https://",
    });
    expect(kas.metrics.snapshot().requestsByStatus).toEqual({}); // a handshake is no request
  });
});
