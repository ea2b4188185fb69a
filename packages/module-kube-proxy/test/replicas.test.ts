import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createDevCertificates } from '@kas/dev-certificates';
import { eventually, openStream, type RedisServer, scaledMs, send, startRedis } from '@kas/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { UNROUTED_LINES_PER_INTERVAL } from '../src/auth/RefusedRequestLog.js';
import { userToken } from '../src/index.js';
import { aliceToken, USER_SECRETS } from './support/identities.js';
import { progressBeforeStopped } from './support/progressBeforeStopped.js';
import { startAgent, startCluster, type TestAgent, type TestCluster } from './support/startCluster.js';
import { type EchoApi, startEchoApi } from './support/startEchoApi.js';
import { type KasReplica, type KasReplicaOptions, startKasReplica } from './support/startKasReplica.js';

const run = promisify(execFile);

describe('replicas sharing a tunnel directory in Redis', () => {
  let redis: RedisServer;
  let cluster: TestCluster;
  let ca: string;
  let replicas: KasReplica[] = [];
  let agents: TestAgent[] = [];

  const startReplica = async (replicaId: string, options: Partial<KasReplicaOptions> = {}) => {
    const replica = await startKasReplica({
      replicaId,
      tls: cluster.certificates.server,
      directory: { redisUrl: redis.url },
      ...options,
    });
    replicas.push(replica);
    return replica;
  };
  const connectAgent = async (kasAddresses: readonly string[]) => {
    const agent = await startAgent(cluster.upstream, kasAddresses);
    agents.push(agent);
    return agent;
  };
  const version = (replica: KasReplica) =>
    send(`${replica.proxy.url}/version`, { ca, token: aliceToken('agent-1') });

  beforeAll(async () => {
    redis = await startRedis();
    cluster = await startCluster();
    ca = cluster.certificates.ca.cert;
  });
  afterAll(async () => {
    await cluster?.stop();
    await redis?.stop();
  });
  afterEach(async () => {
    for (const agent of agents) await agent.app.stop();
    for (const replica of replicas) await replica.kas.stop();
    agents = [];
    replicas = [];
  });

  it('forwards a request that lands on B to A, which holds the agent, and streams a watch back', async () => {
    const a = await startReplica('kas-a');
    const b = await startReplica('kas-b');
    await connectAgent([a.agentAddress]);
    await eventually(async () => (await version(b)).status === 200);
    expect(b.registry.hasAgent('agent-1')).toBe(false);
    expect(b.metrics.snapshot().requestsByRoute.remote).toBeGreaterThanOrEqual(1);
    expect(a.privateApi.counters().answered).toBeGreaterThanOrEqual(1);

    const watch = await openStream(`${b.proxy.url}/api/v1/namespaces/default/pods?watch=1`, {
      ca,
      token: aliceToken('agent-1'),
    });
    expect(watch.status).toBe(200);
    await eventually(() => cluster.api.openStreams === 1);
    cluster.api.objects.create('pods', {
      metadata: { name: 'web-0' },
      spec: { containers: [{ name: 'a', image: 'a:1' }] },
    });
    expect(JSON.parse((await watch.waitForLines(1))[0] as string)).toMatchObject({ type: 'ADDED' });
    expect(a.privateApi.activeForwards()).toBe(1);

    const openBefore = a.privateApi.openCalls();
    watch.close(); // the user goes away on B: A cancels the upstream watch
    await eventually(() => cluster.api.openStreams === 0);
    await eventually(() => a.privateApi.activeForwards() === 0);
    expect(a.privateApi.counters()).toMatchObject({ cancelled: 1 });
    // The cancelled call is not reused; the next request goes on an idle one, or a new one.
    await eventually(() => a.privateApi.openCalls() === openBefore - 1);
    expect((await version(b)).status).toBe(200);
  });

  it('reuses its Forward calls to a peer: requests one after another ride one call, a burst a few (counted on the peer)', async () => {
    const a = await startReplica('kas-a');
    const b = await startReplica('kas-b');
    await connectAgent([a.agentAddress]);
    await eventually(async () => (await version(b)).status === 200);
    const before = a.privateApi.counters();

    for (let index = 0; index < 20; index++) expect((await version(b)).status).toBe(200);
    const sequential = a.privateApi.counters();
    expect(sequential.answered - before.answered).toBe(20);
    expect(sequential.calls - before.calls).toBe(0); // the call that answered the first request carried all

    for (let round = 0; round < 3; round++) {
      const answers = await Promise.all(Array.from({ length: 8 }, () => version(b)));
      expect(answers.map((answer) => answer.status)).toEqual(Array(8).fill(200));
    }
    const bursts = a.privateApi.counters();
    expect(bursts.answered - sequential.answered).toBe(24);
    // Eight at a time need at most eight calls, opened in the first burst and reused by the next two.
    expect(bursts.calls).toBeLessThanOrEqual(8);
    expect(a.privateApi.openCalls()).toBe(bursts.calls);
    expect(a.privateApi.activeForwards()).toBe(0);
  });

  it('survives a restart of the peer holding the agent, on the same addresses: requests wait within the tunnel wait and none fails', async () => {
    const first = await startReplica('kas-a');
    const b = await startReplica('kas-b', {
      kubeProxy: { tunnelWait: '15s', directoryPollInterval: '100ms' },
    });
    await connectAgent([first.agentAddress]);
    await eventually(async () => (await version(b)).status === 200);
    await Promise.all(Array.from({ length: 4 }, () => version(b))); // B now holds idle calls to A
    const idleCallsAtStop = first.privateApi.openCalls();
    expect(idleCallsAtStop).toBeGreaterThanOrEqual(1);

    const statuses: (number | string)[] = [];
    let isRunning = true;
    const load = Promise.all(
      Array.from({ length: 2 }, async () => {
        while (isRunning) {
          statuses.push(
            await version(b).then(
              (answer) => answer.status,
              (error: Error) => error.message,
            ),
          );
        }
      }),
    );
    onTestFinished(() => {
      isRunning = false;
      return load.then(() => {});
    });
    await eventually(() => statuses.length >= 5);
    await first.kas.stop(); // GOAWAY; its idle calls from B end at once
    const stopping = first.logs.lines.find((line) => line.event === 'privateApi.stopping');
    expect(stopping?.idleCalls).toBeGreaterThanOrEqual(idleCallsAtStop - 2); // two may carry the load's requests
    const countAtStop = statuses.length;
    const again = await startReplica('kas-a', {
      agentGrpc: { listen: first.agentAddress },
      privateApi: { listen: first.privateApi.address },
    });
    expect(again.privateApi.address).toBe(first.privateApi.address);
    await eventually(() => again.registry.hasAgent('agent-1')); // the agent came back by itself
    await eventually(() => again.privateApi.counters().answered >= 5);
    isRunning = false;
    await load;

    expect(statuses.length).toBeGreaterThan(countAtStop);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    expect(again.privateApi.counters().calls).toBeGreaterThanOrEqual(1);
  });

  it('recovers from a FLUSHALL while requests flow through B: A notices its entries are gone and writes them again, long before its refresh', async () => {
    // A's refresh is 10 minutes off: only the entry check can bring its entry back within this test.
    const a = await startReplica('kas-a', {
      tracker: { entryTtl: '30m', refreshPeriod: '10m', entryCheckPeriod: '200ms' },
    });
    // B asks the directory for every request and waits up to 5 s (the default tunnel wait) for the agent.
    const b = await startReplica('kas-b', {
      kubeProxy: { tunnelWait: '5s', directoryPollInterval: '1ms' },
    });
    await connectAgent([a.agentAddress]);
    await eventually(async () => (await version(b)).status === 200);

    const statuses: (number | string)[] = [];
    let isRunning = true;
    const load = Promise.all(
      Array.from({ length: 2 }, async () => {
        while (isRunning) {
          statuses.push(
            await version(b).then(
              (answer) => answer.status,
              (error: Error) => error.message,
            ),
          );
        }
      }),
    );
    onTestFinished(() => {
      isRunning = false;
      return load.then(() => {});
    });
    await eventually(() => statuses.length >= 5);
    await run('redis-cli', ['-p', String(redis.port), 'FLUSHALL']);
    const countAtFlush = statuses.length;

    await eventually(() =>
      expect(a.logs.lines).toContainEqual(expect.objectContaining({ event: 'tunnels.lost', agents: 1 })),
    );
    // Requests sent after the flush are answered again through A.
    await eventually(() => statuses.length >= countAtFlush + 10);
    isRunning = false;
    await load;
    // None failed: the ones that found no entry waited within B's tunnel wait until A wrote it again.
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    expect(a.logs.lines).toContainEqual(
      expect.objectContaining({ reason: 'lost', agents: 1, msg: 'tunnel directory entries written' }),
    );
  });

  it('answers a request whose agent connects here while the directory look-up is in flight (it used to wait out the tunnel wait and answer 503)', async () => {
    const a = await startReplica('kas-a', { kubeProxy: { tunnelWait: '8s' } });
    await run('redis-cli', ['-p', String(redis.port), 'CLIENT', 'PAUSE', '1500', 'ALL']);
    const answer = version(a); // finds no tunnel here, then waits on Redis for the directory
    await eventually(() => a.metrics.snapshot().inFlight === 1);
    await connectAgent([a.agentAddress]);
    await eventually(() => a.registry.hasAgent('agent-1')); // while Redis is still paused
    // It missed the agent's arrival: it waited out the tunnel wait and answered 503 KAS_AGENT_NOT_CONNECTED.
    expect((await answer).status).toBe(200);
  });

  it('answers 503 "not connected", not 502, when the replica a kept directory answer names has stopped with the agent', async () => {
    const a = await startReplica('kas-a');
    // B keeps directory answers 10 s: the next request meets the answer that names A. A short tunnel wait
    // (scaled: on a busy machine the failed forward to A alone can take longer than 300 ms).
    const b = await startReplica('kas-b', {
      kubeProxy: { tunnelWait: `${scaledMs(300)}ms`, directoryPollInterval: '10s' },
    });
    const agent = await connectAgent([a.agentAddress]);
    await eventually(async () => (await version(b)).status === 200);
    await agent.app.stop();
    await a.kas.stop();

    const answer = await version(b);
    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.body).message).toMatch(/^agent "agent-1" is not connected to kas/);
    expect(b.logs.lines).toContainEqual(
      expect.objectContaining({ event: 'route.retry', code: 'KAS_FORWARD_FAILED', replicaId: 'kas-a' }),
    );
  });

  it('lets requests that arrive while the agent moves from a stopping A to B wait, and answers them', async () => {
    const a = await startReplica('kas-a');
    const b = await startReplica('kas-b', {
      kubeProxy: { tunnelWait: '10s', directoryPollInterval: '100ms' },
    });
    const first = await connectAgent([a.agentAddress]);
    await eventually(async () => (await version(b)).status === 200);

    await a.kas.stop();
    await first.app.stop();
    const burst = Array.from({ length: 5 }, () => version(b));
    await eventually(() => b.metrics.snapshot().inFlight === 5);
    await connectAgent([b.agentAddress]); // the agent arrives on B

    const answers = await Promise.all(burst);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
    expect(b.metrics.snapshot().requestsByRoute.local).toBe(5);
  });

  it('moves an agent with its kas list from a stopping A to B while requests keep being answered', async () => {
    // The request to A must arrive within its listen grace: scaled, as it is sent from a busy machine too.
    const a = await startReplica('kas-a', { kubeProxy: { listenGrace: `${scaledMs(300)}ms` } });
    const b = await startReplica('kas-b');
    await connectAgent([a.agentAddress, b.agentAddress]);
    await eventually(async () => (await version(b)).status === 200);

    const stopped = a.kas.stop();
    const during = await Promise.all([version(a), version(b)]);
    expect(during.map((answer) => answer.status)).toEqual([200, 200]);
    await stopped;
    expect((await version(b)).status).toBe(200);
    expect(b.registry.hasAgent('agent-1')).toBe(true);
  });

  it('keeps forwarded streams (a watch, a log) going while the replica holding their tunnels stops, until its drain budget, then counts them cut', async () => {
    const a = await startReplica('kas-a', {
      privateApi: { drainBudget: '800ms' },
      kubeProxy: { listenGrace: '100ms' },
    });
    const b = await startReplica('kas-b');
    await connectAgent([a.agentAddress]);
    await eventually(async () => (await version(b)).status === 200);
    const watch = await openStream(`${b.proxy.url}/api/v1/namespaces/default/pods?watch=1`, {
      ca,
      token: aliceToken('agent-1'),
    });
    cluster.api.objects.create('pods', {
      metadata: { name: 'logger-0' },
      spec: { containers: [{ name: 'app', image: 'app:1' }] },
    });
    const log = await openStream(`${b.proxy.url}/api/v1/namespaces/default/pods/logger-0/log?follow=true`, {
      ca,
      token: aliceToken('agent-1'),
    });
    await eventually(() => a.privateApi.activeForwards() === 2);

    const stopped = a.kas.stop();
    // A's kube proxy has nothing in flight and is done at once; the forward is the private API's to drain.
    await eventually(() => a.proxy.state === 'stopped');
    expect(a.kas.app.moduleStates().get('private-api')).toBe('stopping');
    const progressOf = (module: string) =>
      a.kas.app.snapshot().modules.find((candidate) => candidate.name === module)?.progress;
    expect(progressOf('private-api')).toEqual({ state: 'stopping', forwards: 2 });
    // The forward's tunnel is busy: the agent edge keeps it (and its connection) until the drain ends.
    expect(progressOf('agent-grpc-server')).toMatchObject({
      state: 'stopping',
      connections: 1,
      busyTunnels: 2,
    });
    cluster.api.objects.create('pods', {
      metadata: { name: 'late' },
      spec: { containers: [{ name: 'a', image: 'a:1' }] },
    });
    await eventually(() => watch.lines.some((line) => JSON.parse(line).object.metadata.name === 'late'));

    expect(await stopped).toMatchObject({ status: 'clean', cut: ['private-api'] });
    // Cut between two events: it ends with an ERROR event saying why, as the API server ends a watch.
    expect(await watch.ended).toBe('end');
    expect(JSON.parse(watch.lines.at(-1) as string)).toMatchObject({
      type: 'ERROR',
      object: { kind: 'Status', message: expect.stringMatching(/^the watch broke off: /) },
    });
    await log.ended;
    expect(a.logs.lines).toContainEqual(
      expect.objectContaining({ event: 'privateApi.drainCut', forwards: 2 }),
    );
    expect(a.privateApi.counters().cut).toBe(2);
    // The record before module.stopped is the last one a viewer of a stopping process gets: a cut
    // forward is no longer in flight in it (nor in any record that counts it as cut).
    const records = progressBeforeStopped(a.kas.trace, 'private-api');
    expect(records.at(-1)).toEqual({ state: 'stopped', forwards: 0, cut: 2 });
    for (const record of records.filter((candidate) => candidate.cut !== undefined))
      expect(record).toMatchObject({ forwards: 0 });
    expect(progressOf('private-api')).toEqual({ state: 'stopped', forwards: 0, cut: 2 });
    await eventually(() => cluster.api.openStreams === 0);
    await eventually(() => b.metrics.snapshot().inFlight === 0);
    expect(b.metrics.snapshot().cutAtDrainEnd).toBe(0);
  });

  /**
   * Runs `test` with agent-3 on A serving the echo API (startEchoApi's routes), reached by bob through B
   * once B can forward to it.
   */
  const withEchoAgentOnA = async (
    test: (b: KasReplica, echo: EchoApi, bob: string) => Promise<void>,
  ): Promise<void> => {
    const echo = await startEchoApi(cluster.certificates.server);
    try {
      const a = await startReplica('kas-a');
      const b = await startReplica('kas-b');
      agents.push(await startAgent({ url: echo.url, ca }, [a.agentAddress], 'agent-3'));
      const bob = userToken('agent-3', USER_SECRETS.bob);
      await eventually(async () => (await send(`${b.proxy.url}/version`, { ca, token: bob })).status === 200);
      await test(b, echo, bob);
    } finally {
      for (const agent of agents.splice(0)) await agent.app.stop();
      await echo.stop();
    }
  };

  it('forwards large bodies both ways, in frames, with backpressure', async () => {
    await withEchoAgentOnA(async (b, _echo, bob) => {
      const body = 'k'.repeat(3 * 1024 * 1024 + 7);
      const answer = await send(`${b.proxy.url}/upload`, { ca, token: bob, method: 'PUT', body });
      expect(answer.status).toBe(200);
      const seen = JSON.parse(answer.body);
      expect(seen).toMatchObject({ method: 'PUT', url: '/upload' });
      expect(seen.body.length).toBe(body.length);
      expect(seen.body === body).toBe(true);
      await eventually(() => b.metrics.snapshot().requestsByRoute.remote >= 2);
    });
  });

  it("answers 502 from the holder's refusal of the agent's answer, sending a forwarded GET once (B sent it again for the whole tunnel wait)", async () => {
    await withEchoAgentOnA(async (b, echo, bob) => {
      const answer = await send(`${b.proxy.url}/status-999`, { ca, token: bob });
      expect(answer.status).toBe(502);
      expect(JSON.parse(answer.body).message).toContain(
        'KAS_AGENT_ANSWER_INVALID: tunnel of agent "agent-3" ended: response head refused: status 999 is not a final HTTP status',
      );
      expect(echo.requests.filter((request) => request.url === '/status-999')).toHaveLength(1);
    });
  });

  it('refuses a Forward call with the wrong secret: the caller answers 502 and the secret is logged nowhere', async () => {
    const a = await startReplica('kas-a');
    const wrongSecret = 'not-the-private-api-secret';
    const c = await startReplica('kas-c', {
      kubeProxy: { privateApiSecret: wrongSecret, tunnelWait: '500ms' },
    });
    await connectAgent([a.agentAddress]);
    await eventually(() => a.registry.hasAgent('agent-1'));
    await eventually(async () => (await version(a)).status === 200);

    const answer = await version(c);
    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.body)).toMatchObject({ reason: 'BadGateway' });
    expect(JSON.parse(answer.body).message).toContain('KAS_PRIVATE_API_UNAUTHENTICATED');
    expect(a.privateApi.counters().unauthenticated).toBeGreaterThanOrEqual(1);
    expect(a.logs.lines).toContainEqual(expect.objectContaining({ event: 'privateApi.unauthenticated' }));
    expect(JSON.stringify([...a.logs.lines, ...c.logs.lines])).not.toContain(wrongSecret);
  });

  it('serves local agents through a Redis outage, and answers 503 naming the directory at once for remote ones (it waited out the tunnel wait, logged as "not connected")', async () => {
    const a = await startReplica('kas-a');
    // B keeps a directory answer only 1 ms: the outage is met by the next request, not a kept answer.
    // Its tunnel wait is long: an answer within it came without waiting for the agent.
    const b = await startReplica('kas-b', {
      kubeProxy: { tunnelWait: '20s', directoryPollInterval: '1ms' },
    });
    await connectAgent([a.agentAddress]);
    await eventually(async () => (await version(b)).status === 200);
    await redis.kill();
    try {
      expect((await version(a)).status).toBe(200);
      const startedAt = performance.now();
      const answer = await version(b);
      expect(performance.now() - startedAt).toBeLessThan(5_000);
      expect(answer.status).toBe(503);
      expect(answer.headers['retry-after']).toBe('1');
      expect(JSON.parse(answer.body).message).toMatch(
        /^agent "agent-1" has no tunnel on this replica, and the tunnel directory could not be asked for other replicas: it is unavailable/,
      );
      expect(answer.body).not.toContain(`${redis.port}`);
      expect(b.logs.lines).toContainEqual(
        expect.objectContaining({
          event: 'request.unrouted',
          status: 503,
          code: 'KAS_TUNNEL_DIRECTORY_UNAVAILABLE',
          fix: expect.stringContaining('Redis'),
        }),
      );
      // Every request during an outage is refused so: a few lines, then a summary (found by an
      // operator trial: a 900-character line per request).
      for (let sent = 0; sent < 2 * UNROUTED_LINES_PER_INTERVAL; sent++) {
        expect((await version(b)).status).toBe(503);
      }
    } finally {
      await redis.restart();
    }
    const unrouted = b.logs.lines.filter((line) => line.event === 'request.unrouted');
    // One interval of 10 s holds them, or two on a slow machine.
    expect(unrouted.length).toBeGreaterThanOrEqual(UNROUTED_LINES_PER_INTERVAL);
    expect(unrouted.length).toBeLessThanOrEqual(2 * UNROUTED_LINES_PER_INTERVAL);
    await b.kas.stop(); // the stop writes the summary of what was counted
    const summed = b.logs.lines
      .filter((line) => line.event === 'kubeProxy.unroutedSummary')
      .map((line) => line.byReason as Record<string, number>);
    const total = summed.reduce((sum, byReason) => sum + (byReason.KAS_TUNNEL_DIRECTORY_UNAVAILABLE ?? 0), 0);
    expect(unrouted.length + total).toBe(2 * UNROUTED_LINES_PER_INTERVAL + 1);
  });

  describe('with the private API over TLS', () => {
    /** Serves its private API with the cluster's certificate (127.0.0.1), and trusts `trusted` for others'. */
    const withTls = (trusted: string): Partial<KasReplicaOptions> => ({
      privateApi: {
        tls: {
          cert: { pem: cluster.certificates.server.cert },
          key: { pem: cluster.certificates.server.key },
        },
      },
      kubeProxy: { privateApiTls: { ca: { pem: trusted } }, tunnelWait: '500ms' },
    });
    it('forwards from B to A over TLS when every replica serves it and trusts its CA', async () => {
      const a = await startReplica('kas-a', withTls(ca));
      const b = await startReplica('kas-b', withTls(ca));
      await connectAgent([a.agentAddress]);
      await eventually(() => a.registry.hasAgent('agent-1'));

      const answer = await eventually(async () => {
        const response = await version(b);
        return response.status === 200 ? response : false;
      });
      expect(JSON.parse(answer.body)).toMatchObject({ major: '1' });
      expect(b.registry.hasAgent('agent-1')).toBe(false);
      expect(b.metrics.snapshot().requestsByRoute.remote).toBeGreaterThanOrEqual(1);
      expect(a.logs.lines).toContainEqual(
        expect.objectContaining({ event: 'privateApi.listening', tls: true }),
      );
    });

    it('answers 502 when a replica does not trust the CA of the one it forwards to, naming that replica, its address and the TLS settings only in the log (the user saw the address)', async () => {
      const a = await startReplica('kas-a', withTls(ca));
      const otherCa = (await createDevCertificates()).ca.cert;
      const c = await startReplica('kas-c', withTls(otherCa));
      await connectAgent([a.agentAddress]);
      await eventually(async () => (await version(a)).status === 200);

      const answer = await version(c);
      expect(answer.status).toBe(502);
      const status = JSON.parse(answer.body);
      expect(status).toMatchObject({ kind: 'Status', reason: 'BadGateway' });
      expect(status.message).toBe(
        'forwarding the request to the kas replica holding agent "agent-1" failed: this replica could not reach it, or lost the connection (a network or TLS failure); the details are in the kas log, for its operator',
      );
      const port = a.privateApi.address.split(':')[1] as string;
      expect(answer.body).not.toContain('127.0.0.1:');
      expect(answer.body).not.toContain(port);
      expect(c.logs.lines).toContainEqual(
        expect.objectContaining({
          event: 'request.unrouted',
          status: 502,
          code: 'KAS_FORWARD_FAILED',
          msg: expect.stringMatching(
            new RegExp(
              `^forwarding to replica "kas-a" at ${a.privateApi.address.replaceAll('.', '\\.')} failed: .*certificate`,
            ),
          ),
          fix: expect.stringContaining('the same private API TLS settings'),
        }),
      );
    });

    it('checks the certificate against privateApiTls.serverName when it is given', async () => {
      const a = await startReplica('kas-a', withTls(ca));
      const named = async (serverName: string) => {
        const options = withTls(ca);
        return startReplica(`kas-${serverName}`, {
          ...options,
          kubeProxy: { ...options.kubeProxy, privateApiTls: { ca: { pem: ca }, serverName } },
        });
      };
      const right = await named('localhost');
      const wrong = await named('elsewhere.example');
      await connectAgent([a.agentAddress]);
      await eventually(async () => (await version(a)).status === 200);

      expect((await version(right)).status).toBe(200);
      const refused = await version(wrong);
      expect(refused.status).toBe(502);
      expect(refused.body).not.toContain('127.0.0.1:');
      expect(wrong.logs.lines).toContainEqual(
        expect.objectContaining({
          event: 'request.unrouted',
          code: 'KAS_FORWARD_FAILED',
          msg: expect.stringMatching(/elsewhere\.example/),
        }),
      );
    });

    it('fails to start, naming the file, when the CA file of privateApiTls cannot be read', async () => {
      await expect(
        startReplica('kas-d', {
          kubeProxy: { privateApiTls: { ca: { file: '/nonexistent/private-ca.pem' } } },
        }),
      ).rejects.toMatchObject({
        cause: {
          code: 'KAS_KUBE_PROXY_LISTEN_FAILED',
          message: expect.stringContaining('privateApiTls.ca: cannot read /nonexistent/private-ca.pem'),
        },
      });
    });
  });
});
