import { once } from 'node:events';
import { get, type IncomingMessage, request } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { buffer, text } from 'node:stream/consumers';
import { eventually } from '@kas/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AGENTK_VERSION } from '../src/index.js';
import { BIG_BODY_BYTES, type FakeKubeApi, startFakeKubeApi } from './support/fakeKubeApi.js';
import { type InProcessAgentk, startAgentkInProcess } from './support/startAgentk.js';
import { type KasReplica, startKasReplica } from './support/startKasReplica.js';

function fetchThrough(url: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) =>
    get(url, { headers: { 'user-agent': 'kubectl/v1.32.4' } }, resolve).on('error', reject),
  );
}

describe('kas → tunnel → agentk → Kubernetes API', () => {
  let kubeApi: FakeKubeApi;
  let kas: KasReplica;
  let agentk: InProcessAgentk;

  beforeEach(async () => {
    kubeApi = await startFakeKubeApi();
    kas = await startKasReplica();
    agentk = await startAgentkInProcess(['agent-1'], {
      kasAddresses: [kas.server.address],
      kubeApi: { url: kubeApi.url, token: 'cluster-token' },
      minIdleTunnels: 2,
    });
    await eventually(() => kas.registry.hasAgent('agent-1'));
  });
  afterEach(async () => {
    await agentk?.app.stop();
    await kas?.stop();
    await kubeApi?.close();
  });

  it('answers a GET, telling the API server it went through the agent and with the cluster token', async () => {
    const response = await fetchThrough(`${kas.consumerUrl}/agent-1/version?pretty=1`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(JSON.parse(await text(response))).toEqual({ major: '1', minor: '32' });
    const seen = kubeApi.requests.at(-1);
    expect(seen?.url).toBe('/version?pretty=1');
    expect(seen?.headers['user-agent']).toBe(`kubectl/v1.32.4 via-agentk/${AGENTK_VERSION}`);
    expect(seen?.headers.authorization).toBe('Bearer cluster-token');
  });

  it('streams a chunked body of several MB whole', async () => {
    const response = await fetchThrough(`${kas.consumerUrl}/agent-1/big`);
    expect(response.statusCode).toBe(200);
    const body = await buffer(response);
    expect(body.length).toBe(BIG_BODY_BYTES);
    expect(body.every((byte) => byte === 0x62)).toBe(true);
  });

  it('streams a long watch event by event, as the API server sends them', async () => {
    const response = await fetchThrough(`${kas.consumerUrl}/agent-1/watch?watch=true`);
    expect(response.statusCode).toBe(200);
    await eventually(() => kubeApi.watches.length === 1);
    const watch = kubeApi.watches[0];
    for (let index = 0; index < 5; index += 1) {
      // The next event is written only after the previous one arrived: nothing may sit in a buffer.
      watch?.write(`{"type":"ADDED","object":{"name":"pod-${index}"}}\n`);
      const [chunk] = (await once(response, 'data')) as [Buffer];
      expect(chunk.toString()).toBe(`{"type":"ADDED","object":{"name":"pod-${index}"}}\n`);
    }
    watch?.end();
    await once(response, 'end');
  });

  it('sends a request body to the API server', async () => {
    const payload = JSON.stringify({ kind: 'ConfigMap', data: { big: 'x'.repeat(300_000) } });
    const response = await new Promise<IncomingMessage>((resolve, reject) =>
      request(`${kas.consumerUrl}/agent-1/echo`, { method: 'POST' }, resolve)
        .on('error', reject)
        .end(payload),
    );
    expect(await text(response)).toBe(payload);
    expect(kubeApi.requests.at(-1)?.body).toBe(payload);
  });

  it('cancels the upstream request when the client goes away', async () => {
    const response = await fetchThrough(`${kas.consumerUrl}/agent-1/watch?watch=true`);
    await eventually(() => kubeApi.watches.length === 1);
    kubeApi.watches[0]?.write('{"type":"ADDED"}\n');
    await once(response, 'data');
    response.destroy();
    await eventually(() => kubeApi.requests.at(-1)?.wasClosedEarly === true);
    // The agent is back to its idle tunnels.
    await eventually(
      () => agentk.agents[0]?.stats().busy === 0 && (agentk.agents[0]?.stats().idle ?? 0) >= 2,
    );
  });

  it('answers with an error frame when the Kubernetes API cannot be reached', async () => {
    await kubeApi.close();
    const response = await fetchThrough(`${kas.consumerUrl}/agent-1/version`);
    expect(response.statusCode).toBe(502);
    expect(await text(response)).toBe('KAS_AGENT_REQUEST_FAILED');
  });

  it('keeps its idle tunnels topped up while requests come and go', async () => {
    for (let round = 0; round < 20; round += 1) {
      const responses = await Promise.all(
        [1, 2, 3].map(() => fetchThrough(`${kas.consumerUrl}/agent-1/version`).then((r) => text(r))),
      );
      expect(responses).toEqual(Array(3).fill('{"major":"1","minor":"32"}'));
    }
    await eventually(
      () => (agentk.agents[0]?.stats().idle ?? 0) >= 2 && agentk.agents[0]?.stats().busy === 0,
    );
    // Tunnels carry one request at a time, and are reused: far fewer tunnels than requests.
    expect(kas.server.counters()['exchanges.finished']).toBe(60);
    expect(kas.server.counters()['tunnels.registered']).toBeLessThan(20);
  });

  it('sends a GET again on a new connection when the API server closed the kept-alive one as the GET went out on it', async () => {
    // An API server whose idle timeout ends a kept-alive connection just as the next request arrives: the
    // first request on each connection is answered, the second is met with a reset.
    const seen: string[] = [];
    const racing = createServer((socket) => {
      let requests = 0;
      socket.on('data', (bytes) => {
        for (const line of bytes
          .toString()
          .split('\r\n')
          .filter((text) => /^[A-Z]+ \//.test(text))) {
          requests += 1;
          seen.push(`${line.split(' ')[1]} #${requests}`);
          if (requests > 1) {
            socket.resetAndDestroy();
            return;
          }
          socket.write(
            'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nkeep-alive: timeout=60\r\n\r\n{}',
          );
        }
      });
      socket.on('error', () => {});
    }).listen(0, '127.0.0.1');
    await once(racing, 'listening');
    const racingAgentk = await startAgentkInProcess(['agent-2'], {
      kasAddresses: [kas.server.address],
      kubeApi: { url: `http://127.0.0.1:${(racing.address() as AddressInfo).port}` },
      minIdleTunnels: 1,
    });
    try {
      await eventually(() => kas.registry.hasAgent('agent-2'));
      for (const path of ['/first', '/second']) {
        const response = await fetchThrough(`${kas.consumerUrl}/agent-2${path}`);
        expect([response.statusCode, await text(response)]).toEqual([200, '{}']);
      }
      expect(seen).toEqual(['/first #1', '/second #2', '/second #1']);
    } finally {
      await racingAgentk.app.stop();
      racing.close();
    }
  });
});
