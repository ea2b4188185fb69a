import type { IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { writeKubeconfig } from '@kas/fake-kube-api';
import { MemoryTunnelTable } from '@kas/module-tunnel-tracker';
import { eventually, kubectl, openStream, send } from '@kas/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userToken } from '../src/index.js';
import { aliceToken, KUBE_API_TOKEN, USER_SECRETS } from './support/identities.js';
import { startAgent, startCluster, type TestAgent, type TestCluster } from './support/startCluster.js';
import { type EchoApi, startEchoApi } from './support/startEchoApi.js';
import { type KasReplica, startKasReplica } from './support/startKasReplica.js';

describe('what a Kubernetes client sees of the kube proxy', () => {
  let cluster: TestCluster;
  let echo: EchoApi;
  let kas: KasReplica;
  let agents: TestAgent[];
  let ca: string;
  const table = new MemoryTunnelTable();
  const url = (path: string) => `${kas.proxy.url}${path}`;

  beforeAll(async () => {
    cluster = await startCluster();
    ca = cluster.certificates.ca.cert;
    echo = await startEchoApi(cluster.certificates.server);
    kas = await startKasReplica({
      tls: cluster.certificates.server,
      directory: { table },
      kubeProxy: { tunnelWait: '300ms' },
    });
    agents = [
      await startAgent(cluster.upstream, [kas.agentAddress], 'agent-1'),
      await startAgent({ url: echo.url, ca }, [kas.agentAddress], 'agent-3'),
      await startAgent(cluster.upstream, [kas.agentAddress], 'agent-2', { minIdleTunnels: 1, maxTunnels: 1 }),
    ];
    await eventually(() =>
      ['agent-1', 'agent-2', 'agent-3'].every((agentId) => kas.registry.hasAgent(agentId)),
    );
  });
  afterAll(async () => {
    for (const agent of agents ?? []) await agent.app.stop();
    await kas?.kas.stop();
    await echo?.stop();
    await cluster?.stop();
  });

  describe('authentication', () => {
    const expectStatus = (body: string, code: number, reason: string) =>
      expect(JSON.parse(body)).toMatchObject({
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        code,
        reason,
      });

    it('answers a request without a token with a 401 Unauthorized Status', async () => {
      const answer = await send(url('/version'), { ca });
      expect(answer.status).toBe(401);
      expect(answer.headers['content-type']).toBe('application/json');
      expect(answer.headers['www-authenticate']).toBe('Bearer realm="kas"');
      expectStatus(answer.body, 401, 'Unauthorized');
      expect(JSON.parse(answer.body).message).toContain('no bearer token');
    });

    it('answers a token that is not user:<agent-id>:<secret> with 401, naming the expected form', async () => {
      const answer = await send(url('/version'), { ca, token: USER_SECRETS.alice });
      expect(answer.status).toBe(401);
      expect(JSON.parse(answer.body).message).toContain('user:<agent-id>:<secret>');
    });

    it('answers an unknown secret with 401 and never echoes or logs it', async () => {
      const secret = 'not-a-known-secret-42';
      const answer = await send(url('/version'), { ca, token: userToken('agent-1', secret) });
      expect(answer.status).toBe(401);
      expectStatus(answer.body, 401, 'Unauthorized');
      expect(answer.body).not.toContain(secret);
      expect(JSON.stringify(kas.logs.lines)).not.toContain(secret);
    });

    it('answers an agent the user may not reach with 403 Forbidden', async () => {
      const answer = await send(url('/version'), { ca, token: aliceToken('agent-3') });
      expect(answer.status).toBe(403);
      expectStatus(answer.body, 403, 'Forbidden');
      expect(JSON.parse(answer.body).message).toBe('user "alice" may not reach agent "agent-3"');
    });

    it('checks the token of every request on a keep-alive connection: an allowed token does not vouch for the next one', async () => {
      const agent = new HttpsAgent({ keepAlive: true, maxSockets: 1, ca });
      try {
        const get = (token: string) =>
          new Promise<IncomingMessage>((resolve, reject) =>
            httpsRequest(url('/version'), { agent, headers: { authorization: `Bearer ${token}` } }, resolve)
              .once('error', reject)
              .end(),
          );
        const sockets = new Set<unknown>();
        const statuses: (number | undefined)[] = [];
        for (const token of [
          aliceToken('agent-1'),
          userToken('agent-1', 'not-a-known-secret-42'),
          aliceToken('agent-1'),
          aliceToken('agent-3'),
          userToken('agent-3', USER_SECRETS.bob),
          aliceToken('agent-2'),
        ]) {
          const response = await get(token);
          sockets.add(response.socket);
          statuses.push(response.statusCode);
          await text(response);
        }
        expect(sockets.size).toBe(1);
        expect(statuses).toEqual([200, 401, 200, 403, 200, 200]);
      } finally {
        agent.destroy();
      }
    });

    it('writes an audit line for every 401 and 403: user, agent, reason, what was asked; never the token', async () => {
      const secret = 'audited-wrong-secret-7';
      const denied = () => kas.logs.lines.filter((line) => line.event === 'request.denied');
      const before = denied().length;
      expect(
        (await send(url('/api/v1/pods?limit=5'), { ca, token: userToken('agent-1', secret) })).status,
      ).toBe(401);
      expect((await send(url('/version'), { ca, token: aliceToken('agent-3') })).status).toBe(403);
      expect((await send(url('/version'), { ca })).status).toBe(401);
      await eventually(() => denied().length === before + 3);
      const [unknown, forbidden, anonymous] = denied().slice(before);
      expect(unknown).toMatchObject({
        status: 401,
        agentId: 'agent-1',
        reason: 'the token is not known',
        method: 'GET',
        path: '/api/v1/pods',
        remoteAddress: '127.0.0.1',
      });
      expect(unknown?.user).toBeUndefined();
      expect(forbidden).toMatchObject({
        status: 403,
        user: 'alice',
        agentId: 'agent-3',
        reason: 'the user may not reach this agent',
        msg: 'denied GET for user "alice" to agent "agent-3": 403 the user may not reach this agent',
      });
      expect(anonymous).toMatchObject({ status: 401, reason: expect.stringContaining('no bearer token') });
      expect(JSON.stringify(kas.logs.lines)).not.toContain(secret);
      expect(JSON.stringify(kas.logs.lines)).not.toContain(USER_SECRETS.alice);
    });

    it('says in each finished request what was asked and by whom, as far as kas knew it (for an audit module)', async () => {
      const finished: unknown[] = [];
      const unsubscribe = kas.metrics.onRequestFinished((request) => finished.push(request));
      try {
        await send(url('/api/v1/namespaces/default/pods?limit=1'), { ca, token: aliceToken('agent-1') });
        await send(url('/version?x=1'), { ca, token: aliceToken('agent-3') });
        await send(url('/version'), { ca, token: userToken('agent-2', 'not-a-known-secret') });
        await send(url('/version'), { ca });
        await eventually(() => finished.length === 4);
      } finally {
        unsubscribe();
      }
      expect(finished).toEqual([
        expect.objectContaining({
          status: 200,
          route: 'local',
          method: 'GET',
          path: '/api/v1/namespaces/default/pods',
          user: 'alice',
          agentId: 'agent-1',
        }),
        expect.objectContaining({
          status: 403,
          method: 'GET',
          path: '/version',
          user: 'alice',
          agentId: 'agent-3',
        }),
        expect.objectContaining({ status: 401, method: 'GET', path: '/version', agentId: 'agent-2' }),
        {
          status: 401,
          durationSeconds: expect.any(Number),
          route: 'none',
          outcome: 'completed',
          method: 'GET',
          path: '/version',
        },
      ]);
      expect(finished[2]).not.toHaveProperty('user');
    });

    it('answers an agent id kas does not know with 404 NotFound', async () => {
      const answer = await send(url('/api/v1/pods'), { ca, token: aliceToken('agent-404') });
      expect(answer.status).toBe(404);
      expect(JSON.parse(answer.body)).toMatchObject({
        reason: 'NotFound',
        details: { name: 'agent-404', kind: 'agent' },
      });
    });

    it('shows kubectl users what is wrong, as kubectl shows Kubernetes errors', async () => {
      const kubeconfig = (name: string, token: string) =>
        writeKubeconfig({ path: join(cluster.dir, name), server: kas.proxy.url, caPem: ca, token });
      const forbidden = await kubectl(cluster.dir, await kubeconfig('forbidden', aliceToken('agent-3')), [
        'get',
        '--raw',
        '/version',
      ]);
      expect(forbidden).toMatchObject({
        code: 1,
        stderr: 'Error from server (Forbidden): user "alice" may not reach agent "agent-3"\n',
      });
      const wrong = await kubectl(
        cluster.dir,
        await kubeconfig('wrong', userToken('agent-1', 'wrong-secret-0000')),
        ['get', '--raw', '/version'],
      );
      expect(wrong).toMatchObject({
        code: 1,
        stderr: 'error: You must be logged in to the server (Unauthorized: the token is not known)\n',
      });
    });
  });

  describe('passing requests through', () => {
    const bob = userToken('agent-3', USER_SECRETS.bob);

    it('passes method, path, query, body and headers, without the user credentials and hop-by-hop fields', async () => {
      const answer = await send(
        url('/api/v1/namespaces/default/configmaps?fieldManager=kubectl&dryRun=All'),
        {
          ca,
          token: bob,
          method: 'POST',
          body: '{"kind":"ConfigMap"}',
          headers: {
            'content-type': 'application/json',
            'x-custom': 'kept',
            connection: 'x-named-by-connection',
            'x-named-by-connection': 'dropped',
            'proxy-authorization': 'Basic c2VjcmV0',
            te: 'trailers',
          },
        },
      );
      expect(answer.status).toBe(200);
      const seen = JSON.parse(answer.body);
      expect(seen).toMatchObject({
        method: 'POST',
        url: '/api/v1/namespaces/default/configmaps?fieldManager=kubectl&dryRun=All',
        body: '{"kind":"ConfigMap"}',
        headers: {
          'content-type': 'application/json',
          'x-custom': 'kept',
          authorization: `Bearer ${KUBE_API_TOKEN}`,
        },
      });
      expect(seen.headers).not.toHaveProperty('x-named-by-connection');
      expect(seen.headers).not.toHaveProperty('proxy-authorization');
      expect(seen.headers).not.toHaveProperty('te');
      expect(JSON.stringify(seen)).not.toContain(USER_SECRETS.bob);
    });

    it('answers a request whose target is not a path with 400 BadRequest', async () => {
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpsRequest(kas.proxy.url, {
          ca,
          agent: false,
          path: 'https://elsewhere.example/version',
          headers: { authorization: `Bearer ${bob}` },
        });
        req.once('response', async (response) =>
          resolve({ status: response.statusCode ?? 0, body: await text(response) }),
        );
        req.once('error', reject);
        req.end();
      });
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body)).toMatchObject({ kind: 'Status', reason: 'BadRequest' });
      expect(echo.requests.some((seen) => seen.url.includes('elsewhere'))).toBe(false);
    });

    it('answers 400 to a path with a "." or ".." segment or an empty one, which an upstream could resolve outside the API', async () => {
      const paths = [
        '/api/../../etc/passwd',
        '/api/v1/%2e%2e/secret',
        '/api/v1/./pods',
        '//evil/x',
        '/api/v1/..',
      ];
      for (const path of paths) {
        const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = httpsRequest(kas.proxy.url, {
            ca,
            agent: false,
            path,
            headers: { authorization: `Bearer ${bob}` },
          });
          req.once('response', async (response) =>
            resolve({ status: response.statusCode ?? 0, body: await text(response) }),
          );
          req.once('error', reject);
          req.end();
        });
        expect(answer.status, path).toBe(400);
        expect(JSON.parse(answer.body).message, path).toContain('has a "." or ".." segment or an empty one');
      }
      expect(echo.requests.some((seen) => /\.\.|%2e|\/\/|\/\.\//i.test(seen.url))).toBe(false);
      // a dot inside a name is no segment of its own
      expect((await send(url('/api/v1/namespaces/a.b/configmaps/x..y'), { ca, token: bob })).status).toBe(
        200,
      );
    });

    it('keeps repeated headers and their order both ways, and drops hop-by-hop fields of the answer', async () => {
      const answer = await send(url('/hop'), { ca, token: bob });
      expect(answer).toMatchObject({ status: 200, body: 'hop' });
      expect(answer.headers['x-answer']).toBe('one, two');
      expect(answer.headers).not.toHaveProperty('keep-alive');
      // agentk drops `connection` but not the fields it names; kas never sees that list (see forwardHeaders.test.ts).
      expect(answer.headers['x-hop']).toBe('must not reach the client');
    });

    it("answers 502 naming the cause, at once and sending the GET once, when kas refuses the agent's answer (it sent it again for the whole tunnel wait, then answered 504)", async () => {
      const before = echo.requests.filter((request) => request.url === '/status-999').length;
      const answer = await send(url('/status-999'), { ca, token: bob });
      expect(answer.status).toBe(502);
      expect(answer.headers['retry-after']).toBeUndefined();
      expect(JSON.parse(answer.body)).toMatchObject({
        kind: 'Status',
        code: 502,
        reason: 'BadGateway',
        message: expect.stringContaining(
          'response head refused: status 999 is not a final HTTP status (200-599)',
        ),
      });
      expect(echo.requests.filter((request) => request.url === '/status-999').length - before).toBe(1);
    });

    it('cuts the client connection when the answer breaks after its head, so no truncated body looks whole', async () => {
      const stream = await openStream(url('/break'), { ca, token: bob });
      expect(stream.status).toBe(200);
      expect(await stream.ended).toBe('aborted');
      expect(stream.lines).toEqual(['first chunk']);
    });
  });

  describe('streams', () => {
    it('cancels the upstream watch when the client goes away mid-stream', async () => {
      const stream = await openStream(url('/api/v1/namespaces/default/pods?watch=1'), {
        ca,
        token: aliceToken('agent-1'),
      });
      expect(stream.status).toBe(200);
      await eventually(() => cluster.api.openStreams === 1);
      cluster.api.objects.create('pods', {
        metadata: { name: 'web-0' },
        spec: { containers: [{ name: 'app', image: 'app:1' }] },
      });
      expect(JSON.parse((await stream.waitForLines(1))[0] as string)).toMatchObject({ type: 'ADDED' });
      stream.close();
      await eventually(() => cluster.api.openStreams === 0);
      await eventually(() => kas.metrics.snapshot().inFlight === 0);
    });

    it('cancels the upstream watch of a keep-alive client that goes away after 150 requests on the same connection, leaving no listener behind', async () => {
      const agent = new HttpsAgent({ keepAlive: true, maxSockets: 1, ca });
      const warnings: Error[] = [];
      const onWarning = (warning: Error) => warnings.push(warning);
      process.on('warning', onWarning);
      try {
        const get = (path: string) =>
          new Promise<IncomingMessage>((resolve, reject) =>
            httpsRequest(
              url(path),
              { agent, headers: { authorization: `Bearer ${aliceToken('agent-1')}` } },
              resolve,
            )
              .once('error', reject)
              .end(),
          );
        const sockets = new Set<unknown>();
        for (let index = 0; index < 150; index++) {
          const response = await get('/version');
          sockets.add(response.socket);
          expect(response.statusCode).toBe(200);
          await text(response);
        }
        expect(sockets.size).toBe(1);
        const watch = await get('/api/v1/namespaces/default/pods?watch=1');
        expect(watch.socket).toBe([...sockets][0]);
        await eventually(() => cluster.api.openStreams === 1);
        watch.destroy();
        await eventually(() => cluster.api.openStreams === 0);
        await eventually(() => kas.metrics.snapshot().inFlight === 0);
        expect(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning')).toEqual([]);
      } finally {
        process.off('warning', onWarning);
        agent.destroy();
      }
    });

    it('answers 504 Timeout with Retry-After when every tunnel of the agent stays busy', async () => {
      const watch = await openStream(url('/api/v1/namespaces/default/pods?watch=1'), {
        ca,
        token: aliceToken('agent-2'),
      });
      expect(watch.status).toBe(200);
      const answer = await send(url('/version'), { ca, token: aliceToken('agent-2') });
      expect(answer.status).toBe(504);
      expect(answer.headers['retry-after']).toBe('1');
      expect(JSON.parse(answer.body)).toMatchObject({
        reason: 'Timeout',
        message: 'agent "agent-2" is connected, but none of its tunnels became free within 300ms',
      });
      watch.close();
    });

    it('kubectl sends a request again after the 504 of a busy agent (Retry-After: 1), and it goes through once a tunnel is free', async () => {
      const kubeconfig = await writeKubeconfig({
        path: join(cluster.dir, 'busy-agent'),
        server: kas.proxy.url,
        caPem: ca,
        token: aliceToken('agent-2'),
      });
      // agent-2 keeps one tunnel: the watch holds it.
      const watch = await openStream(url('/api/v1/namespaces/default/pods?watch=1'), {
        ca,
        token: aliceToken('agent-2'),
      });
      expect(watch.status).toBe(200);
      const busyAnswers = () => kas.metrics.snapshot().requestsByStatus['504'] ?? 0;
      await eventually(() => kas.metrics.snapshot().inFlight === 1); // the requests before are counted
      const before = busyAnswers();
      const version = kubectl(cluster.dir, kubeconfig, ['get', '--raw', '/version']);
      await eventually(() => busyAnswers() > before);
      watch.close();
      const result = await version;
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ gitVersion: 'v1.32.4-fake' });
    });

    it('answers 503 ServiceUnavailable without Retry-After when the agent is not connected anywhere: kas already waited for it', async () => {
      await agents[2]?.app.stop();
      await eventually(() => !kas.registry.hasAgent('agent-2'));
      const answer = await send(url('/version'), { ca, token: aliceToken('agent-2') });
      expect(answer.status).toBe(503);
      expect(answer.headers['retry-after']).toBeUndefined();
      const status = JSON.parse(answer.body);
      expect(status).toMatchObject({
        reason: 'ServiceUnavailable',
        message:
          'agent "agent-2" is not connected to kas (waited 300ms for it to reconnect); check that the agent runs and reaches kas (its log says why not); if it does, the replica holding it cannot write the tunnel directory (that replica logs tunnels.writeFailing)',
        details: { name: 'agent-2', kind: 'agent' },
      });
      expect(status.details).not.toHaveProperty('retryAfterSeconds');
    });

    it('kubectl fails at once with the message when the agent is not connected: one request, not ten retries', async () => {
      await eventually(() => !kas.registry.hasAgent('agent-2')); // stopped by the test above
      const kubeconfig = await writeKubeconfig({
        path: join(cluster.dir, 'agent-away'),
        server: kas.proxy.url,
        caPem: ca,
        token: aliceToken('agent-2'),
      });
      // Counted by path: a kubectl that is gcloud's version dispatcher asks /version first, on its own.
      const path = '/api/v1/namespaces';
      const answers: number[] = [];
      const unsubscribe = kas.metrics.onRequestFinished((request) => {
        if (request.path === path) answers.push(request.status);
      });
      try {
        const result = await kubectl(cluster.dir, kubeconfig, ['get', '--raw', path]);
        expect(result).toMatchObject({
          code: 1,
          stderr:
            'Error from server (ServiceUnavailable): agent "agent-2" is not connected to kas (waited 300ms for it to reconnect); check that the agent runs and reaches kas (its log says why not); if it does, the replica holding it cannot write the tunnel directory (that replica logs tunnels.writeFailing)\n',
        });
        expect(answers).toEqual([503]);
      } finally {
        unsubscribe();
      }
    });

    it('serves plain HTTP only when configured so, and forwards to the replica holding the agent', async () => {
      const plain = await startKasReplica({
        replicaId: 'kas-plain',
        tls: cluster.certificates.server,
        directory: { table },
        kubeProxy: { tls: undefined, plainHttp: true },
      });
      try {
        expect(plain.proxy.url).toMatch(/^http:\/\//);
        const answer = await send(`${plain.proxy.url}/version`, { ca, token: aliceToken('agent-1') });
        expect(answer.status).toBe(200);
        expect(JSON.parse(answer.body)).toMatchObject({ gitVersion: 'v1.32.4-fake' });
        await eventually(() => plain.metrics.snapshot().requestsByRoute.remote === 1);
      } finally {
        await plain.kas.stop();
      }
    });

    it('counts requests by status code and route for the metrics', async () => {
      await eventually(() => kas.metrics.snapshot().inFlight === 0);
      const snapshot = kas.metrics.snapshot();
      expect(snapshot.requestsByStatus['401']).toBeGreaterThanOrEqual(3);
      expect(snapshot.requestsByStatus['503']).toBeGreaterThanOrEqual(1);
      expect(snapshot.requestsByStatus['504']).toBeGreaterThanOrEqual(1);
      expect(snapshot.requestsByRoute.local).toBeGreaterThanOrEqual(4);
      expect(snapshot.cutAtDrainEnd).toBe(0);
    });
  });
});
