import { eventually } from '@kas/testkit';
import type { RequestHead } from '@kas/tunnel-protocol';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AGENTK_VERSION } from '../src/index.js';
import { type FakeKubeApi, startFakeKubeApi } from './support/fakeKubeApi.js';
import { type InProcessAgentk, startAgentkInProcess } from './support/startAgentk.js';
import { type FakeKas, startFakeKas } from './support/startFakeKas.js';

const GET: RequestHead = { method: 'GET', path: '/version', query: '', headers: [], upgrade: '' };

describe('agentk facing a kas that sends requests no client could', () => {
  let kubeApi: FakeKubeApi;
  let kas: FakeKas;
  let agentk: InProcessAgentk;
  let lines: Record<string, unknown>[];

  beforeEach(async () => {
    kubeApi = await startFakeKubeApi();
    kas = await startFakeKas();
    lines = [];
    agentk = await startAgentkInProcess(
      ['agent-1'],
      {
        kasAddresses: [kas.address],
        kubeApi: { url: `${kubeApi.url}/prefix`, token: 'cluster-token' },
        minIdleTunnels: 2,
      },
      pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line)) }),
    );
  });
  afterEach(async () => {
    await agentk?.app.stop();
    await kas?.close();
    await kubeApi?.close();
  });

  /** Sends `head` on a fresh tunnel and returns agentk's first answer (a head or an error frame). */
  async function send(head: Partial<RequestHead>) {
    const tunnel = await kas.take();
    tunnel.send({ head: { ...GET, ...head }, body: new Uint8Array(), end: true });
    return tunnel.answer();
  }

  it.each([
    ['a space in the path', { path: '/api/v1/x y' }, 'the path "/api/v1/x y" holds a space'],
    ['CR LF in the path', { path: '/api/v1/x\r\nX-Injected: 1' }, 'holds a space, a control character'],
    ['a method that is not a token', { method: 'GE T' }, 'the method "GE T" is not an HTTP token'],
    ['an empty method', { method: '' }, 'the method "" is not an HTTP token'],
    [
      'CR LF in a header value',
      { headers: [{ name: 'x-a', values: ['a\r\nX-Injected: 1'] }] },
      'the value of header "x-a" holds CR, LF',
    ],
    [
      'a header name that is not a token',
      { headers: [{ name: 'bad name', values: ['v'] }] },
      'the header name "bad name" is not an HTTP token',
    ],
    [
      'CR LF in the upgrade protocol',
      { upgrade: 'websocket\r\nX-Injected: 1' },
      'the upgrade protocol "websocket\\r\\nX-Injected: 1" is not a protocol name',
    ],
    ['a space in the query', { query: 'a=b c' }, 'the query "a=b c" holds a space'],
  ])(
    'answers a head with %s with REQUEST_INVALID naming it, logs it once, and keeps serving (it crashed agentk)',
    async (_what, head, problem) => {
      const answer = await send(head);
      expect(answer.error?.code).toBe('REQUEST_INVALID');
      expect(answer.error?.message).toContain(problem);
      expect(kubeApi.requests).toEqual([]);
      const refused = lines.filter((line) => line.event === 'request.failed');
      expect(refused).toMatchObject([{ code: 'REQUEST_INVALID', kasAddress: kas.address }]);
      expect(refused[0]?.msg).toContain(problem);
      expect((await send(GET)).head?.status).toBe(404); // the prefixed path is not a route of the fake API
      expect(kubeApi.requests.map((request) => request.url)).toEqual(['/prefix/version']);
    },
  );

  it.each([
    ['/../../etc/passwd', 'holds an empty, "." or ".." segment'],
    ['/%2e%2e/%2E%2e/etc/passwd', 'holds an empty, "." or ".." segment'],
    ['/api/./v1', 'holds an empty, "." or ".." segment'],
    ['/api/v1/..', 'holds an empty, "." or ".." segment'],
    ['//127.0.0.1:1/stolen', 'holds an empty, "." or ".." segment'],
    ['/api//v1', 'holds an empty, "." or ".." segment'],
    ['http://127.0.0.1:1/stolen', 'does not start with "/"'],
    ['@127.0.0.1:1/stolen', 'does not start with "/"'],
    ['', 'does not start with "/"'],
    ['/api?x=1', 'holds a space, a control character, "?"'],
  ])('refuses the path %j, which would leave the --kube-api path prefix', async (path, problem) => {
    const answer = await send({ path });
    expect(answer.error).toMatchObject({ code: 'REQUEST_INVALID' });
    expect(answer.error?.message).toContain(problem);
    expect(kubeApi.requests).toEqual([]);
  });

  it('keeps paths with dots inside their segments, and a trailing slash, under the prefix', async () => {
    await send({ path: '/api/v1/namespaces/a.b/pods/..x/' });
    await send({ path: '/apis/x.k8s.io/v1/%2e%2ex' });
    expect(kubeApi.requests.map((request) => request.url)).toEqual([
      '/prefix/api/v1/namespaces/a.b/pods/..x/',
      '/prefix/apis/x.k8s.io/v1/%2e%2ex',
    ]);
  });

  it('sends one Host, its own authorization and one user agent, whatever case kas gave the names in', async () => {
    await send({
      headers: [
        { name: 'Host', values: ['evil.example'] },
        { name: 'HOST', values: ['evil2.example'] },
        { name: 'Authorization', values: ['Bearer stolen'] },
        { name: 'User-Agent', values: ['kubectl/v1.32.4'] },
        { name: 'Connection', values: ['close'] },
        { name: 'Transfer-Encoding', values: ['chunked'] },
        { name: 'Accept', values: ['application/json'] },
      ],
    });
    const raw = kubeApi.requests[0]?.rawHeaders ?? [];
    const named = (name: string) =>
      raw.filter((_, index) => index % 2 === 1 && raw[index - 1]?.toLowerCase() === name);
    expect(named('host')).toEqual([new URL(kubeApi.url).host]);
    expect(named('authorization')).toEqual(['Bearer cluster-token']);
    expect(named('user-agent')).toEqual([`kubectl/v1.32.4 via-agentk/${AGENTK_VERSION}`]);
    expect(named('transfer-encoding')).toEqual([]);
    expect(named('accept')).toEqual(['application/json']);
  });
});

describe('agentk facing a kas that accepts tunnels but never registers them', () => {
  let kubeApi: FakeKubeApi | undefined;
  let silentKas: FakeKas | undefined;
  let kas: FakeKas | undefined;
  let agentk: InProcessAgentk | undefined;
  afterEach(async () => {
    await agentk?.app.stop();
    await silentKas?.close();
    await kas?.close();
    await kubeApi?.close();
  });

  it('cancels them after the register timeout, says so naming the address, and moves to the next kas', async () => {
    kubeApi = await startFakeKubeApi();
    silentKas = await startFakeKas({ isRegistering: false });
    kas = await startFakeKas();
    const lines: Record<string, unknown>[] = [];
    agentk = await startAgentkInProcess(
      ['agent-1'],
      {
        kasAddresses: [silentKas.address, kas.address],
        kubeApi: { url: kubeApi.url },
        minIdleTunnels: 1,
        registerTimeout: '200ms',
        backoff: { initialMs: 10, maxMs: 50 },
      },
      pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line)) }),
    );
    const failed = await eventually(() => lines.find((line) => line.event === 'tunnel.failed') ?? false);
    expect(failed).toMatchObject({
      kasAddress: silentKas.address,
      details: 'kas accepted the tunnel but did not register it (send response metadata) within 200ms',
    });
    expect(failed.msg).toContain(
      `tunnel to kas at ${silentKas.address} failed (DEADLINE_EXCEEDED: kas accepted`,
    );
    const tunnel = await kas.take();
    tunnel.send({ head: GET, body: new Uint8Array(), end: true });
    expect((await tunnel.answer()).head?.status).toBe(200);
  });
});
