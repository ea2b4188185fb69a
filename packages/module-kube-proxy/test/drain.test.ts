import { once } from 'node:events';
import { Agent, request } from 'node:https';
import type { Socket } from 'node:net';
import { MemoryTunnelTable } from '@kas/module-tunnel-tracker';
import { eventually, openStream, scaledMs, send } from '@kas/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { aliceToken } from './support/identities.js';
import { progressBeforeStopped } from './support/progressBeforeStopped.js';
import { startAgent, startCluster, type TestAgent, type TestCluster } from './support/startCluster.js';
import { type KasReplica, type KasReplicaOptions, startKasReplica } from './support/startKasReplica.js';

const pod = (name: string) => ({
  metadata: { name },
  spec: { containers: [{ name: 'app', image: 'app:1' }] },
});
const WATCH = '/api/v1/namespaces/default/pods?watch=1';

describe('stopping the kube proxy', () => {
  let cluster: TestCluster;
  let replicas: KasReplica[];
  let agent: TestAgent | undefined;
  let table: MemoryTunnelTable;
  let ca: string;

  const startReplica = async (replicaId: string, options: Partial<KasReplicaOptions> = {}) => {
    const replica = await startKasReplica({
      replicaId,
      tls: cluster.certificates.server,
      directory: { table },
      ...options,
    });
    replicas.push(replica);
    return replica;
  };
  const marks = (replica: KasReplica) =>
    replica.kas.trace.flatMap((event) =>
      event.type === 'module.mark' ? [{ name: event.name, data: event.data }] : [],
    );
  const progressOf = (replica: KasReplica, module: string) =>
    replica.kas.app.snapshot().modules.find((candidate) => candidate.name === module)?.progress;
  const refusedConnection = (url: string) =>
    new Promise<string>((resolve) => {
      const req = request(`${url}/version`, { ca, agent: false }, () => resolve('answered'));
      req.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      req.end();
    });

  /** Sends one request over a keep-alive connection and resolves with its socket, idle in the pool. */
  /** A GET through a keep-alive agent: the socket it went on, its status and its Connection header. */
  const sendKeepAlive = async (url: string, keepAlive: Agent) => {
    const req = request(url, {
      agent: keepAlive,
      headers: { authorization: `Bearer ${aliceToken('agent-1')}` },
    });
    req.end();
    const [socket] = (await once(req, 'socket')) as [Socket];
    const [response] = await once(req, 'response');
    response.resume();
    await once(response, 'end');
    return { socket, status: response.statusCode, connection: response.headers.connection };
  };

  beforeEach(async () => {
    cluster = await startCluster();
    ca = cluster.certificates.ca.cert;
    table = new MemoryTunnelTable();
    replicas = [];
  });
  afterEach(async () => {
    await agent?.app.stop();
    agent = undefined;
    for (const replica of replicas) await replica.kas.stop();
    await cluster.stop();
  });

  it('keeps a watch going while it stops: not ready at once, new connections during the grace only', async () => {
    // Long enough for the two requests the test sends during the grace, on a loaded machine too (400 ms ran
    // out in a run beside another suite: the new connection was reset).
    const a = await startReplica('kas-a', {
      kubeProxy: { listenGrace: `${scaledMs(2_000)}ms`, tunnelWait: '5s' },
    });
    const b = await startReplica('kas-b');
    agent = await startAgent(cluster.upstream, [a.agentAddress, b.agentAddress]);
    await eventually(() => a.registry.hasAgent('agent-1'));
    const watch = await openStream(`${a.proxy.url}${WATCH}`, { ca, token: aliceToken('agent-1') });
    await eventually(() => cluster.api.openStreams === 1);
    const keepAlive = new Agent({ keepAlive: true, ca });
    const first = await sendKeepAlive(`${a.proxy.url}/version`, keepAlive);
    expect(first).toMatchObject({ status: 200 });
    expect(first.socket.destroyed).toBe(false);

    const published: unknown[] = [];
    a.kas.app.subscribe(
      (event) => {
        if (event.type === 'module.progress' && event.module === 'kube-proxy') published.push(event.progress);
      },
      { withProgress: true },
    );
    const stopped = a.kas.stop();
    expect(a.proxy.isReady()).toBe(false);
    expect(a.proxy.state).toBe('listenGrace');
    expect(progressOf(a, 'kube-proxy')).toEqual({ state: 'listenGrace', inFlight: 1, watches: 1 });
    // An idle keep-alive connection is kept through the grace: a load balancer that has not yet seen
    // /readiness fail may send on it (closing it at the stop lost such requests: "socket hang up"). The
    // request is answered, and the answer closes the connection.
    const onIdle = await sendKeepAlive(`${a.proxy.url}/version`, keepAlive);
    expect(onIdle.socket).toBe(first.socket);
    expect(onIdle).toMatchObject({ status: 200, connection: 'close' });
    expect(a.proxy.state).toBe('listenGrace');
    // During the grace a new connection is accepted too; the agent moved to B, so A forwards there.
    const duringGrace = await send(`${a.proxy.url}/version`, { ca, token: aliceToken('agent-1') });
    expect(duringGrace.status).toBe(200);
    expect(duringGrace.headers.connection).toBe('close');
    expect(a.metrics.snapshot().requestsByRoute.remote).toBe(2);
    expect(b.privateApi.counters().answered).toBe(2);
    keepAlive.destroy();

    await eventually(() => a.proxy.state === 'draining');
    expect(await refusedConnection(a.proxy.url)).toBe('ECONNREFUSED');
    expect(marks(a)).toContainEqual({ name: 'listener.closed', data: { inFlight: 1, idleClosed: 0 } });
    await eventually(() => published.length > 0);
    expect(progressOf(a, 'kube-proxy')).toEqual({ state: 'draining', inFlight: 1, watches: 1 });

    cluster.api.objects.create('pods', pod('web-0'));
    expect(JSON.parse((await watch.waitForLines(1))[0] as string)).toMatchObject({
      type: 'ADDED',
      object: { metadata: { name: 'web-0' } },
    });
    watch.close();
    expect(await stopped).toMatchObject({ status: 'clean', cut: [] });
    expect(a.logs.lines).toContainEqual(expect.objectContaining({ event: 'kubeProxy.drained' }));
    expect(a.proxy.state).toBe('stopped');
    expect(progressOf(a, 'kube-proxy')).toEqual({ state: 'stopped', inFlight: 0, watches: 0 });
    expect(published).toContainEqual({ state: 'draining', inFlight: 1, watches: 1 });
    expect(published.at(-1)).toEqual({ state: 'stopped', inFlight: 0, watches: 0 });
  });

  it('ends a watch at the drain budget as the API server ends one, so the client re-watches on another replica', async () => {
    const a = await startReplica('kas-a', { kubeProxy: { listenGrace: '100ms', drainBudget: '600ms' } });
    const b = await startReplica('kas-b');
    agent = await startAgent(cluster.upstream, [a.agentAddress, b.agentAddress]);
    await eventually(() => a.registry.hasAgent('agent-1'));
    const watch = await openStream(`${a.proxy.url}${WATCH}`, { ca, token: aliceToken('agent-1') });
    await eventually(() => cluster.api.openStreams === 1);

    const outcome = await a.kas.stop();
    expect(outcome).toMatchObject({ status: 'clean', cut: ['kube-proxy'] });
    // The final chunk, not a broken connection: client-node's informer gives up on a broken watch.
    expect(await watch.ended).toBe('end');
    expect(marks(a)).toContainEqual({ name: 'drain.cut', data: { requests: 1, reason: 'budget' } });
    expect(a.logs.lines).toContainEqual(
      expect.objectContaining({ event: 'kubeProxy.drainCut', requests: 1, module: 'kube-proxy' }),
    );
    expect(a.metrics.snapshot()).toMatchObject({ inFlight: 0, cutAtDrainEnd: 1 });
    expect(progressOf(a, 'kube-proxy')).toEqual({ state: 'stopped', inFlight: 0, watches: 0, cut: 1 });
    await eventually(() => cluster.api.openStreams === 0);

    const again = await openStream(`${b.proxy.url}${WATCH}`, { ca, token: aliceToken('agent-1') });
    expect(again.status).toBe(200);
    cluster.api.objects.create('pods', pod('web-1'));
    expect(JSON.parse((await again.waitForLines(1))[0] as string)).toMatchObject({ type: 'ADDED' });
    again.close();
  });

  it('reports in its last progress record the requests it cut under cut, none still in flight', async () => {
    const a = await startReplica('kas-a', { kubeProxy: { listenGrace: '100ms', drainBudget: '600ms' } });
    agent = await startAgent(cluster.upstream, [a.agentAddress]);
    await eventually(() => a.registry.hasAgent('agent-1'));
    cluster.api.objects.create('pods', pod('web-0'));
    const watch = await openStream(`${a.proxy.url}${WATCH}`, { ca, token: aliceToken('agent-1') });
    const log = await openStream(`${a.proxy.url}/api/v1/namespaces/default/pods/web-0/log?follow=true`, {
      ca,
      token: aliceToken('agent-1'),
    });
    await eventually(() => cluster.api.openStreams === 2);

    expect(await a.kas.stop()).toMatchObject({ status: 'clean', cut: ['kube-proxy'] });
    expect(await watch.ended).toBe('end');
    await log.ended;
    // Read as the process ends: the record before module.stopped is the last one a viewer gets.
    const records = progressBeforeStopped(a.kas.trace, 'kube-proxy');
    const last = { state: 'stopped', inFlight: 0, watches: 0, cut: 2 };
    expect(records.at(-1)).toEqual(last);
    expect(progressOf(a, 'kube-proxy')).toEqual(last);
    // Once cut, a request is no longer in flight: no record counts it both as cut and in flight.
    for (const progress of records.filter((record) => record.cut !== undefined))
      expect(progress).toMatchObject({ inFlight: 0, watches: 0, cut: 2 });
  });

  it("publishes a cut request's end before its stop ends, also for one still waiting for a tunnel (an observer stopping after it heard nothing)", async () => {
    const a = await startReplica('kas-a', {
      kubeProxy: { listenGrace: '100ms', drainBudget: '300ms', tunnelWait: '30s' },
    });
    const order: string[] = [];
    a.metrics.onRequestFinished((request) => order.push(`finished ${request.outcome}`));
    a.kas.app.subscribe((event) => {
      if (event.type === 'module.stopped' && event.module === 'kube-proxy') order.push('kube-proxy stopped');
    });
    // agent-1 never connects: the request waits for a tunnel until the drain budget cuts it.
    const waiting = send(`${a.proxy.url}/version`, { ca, token: aliceToken('agent-1') }).catch(
      (error: Error) => error.message,
    );
    await eventually(() => a.metrics.snapshot().inFlight === 1);
    expect(await a.kas.stop()).toMatchObject({ status: 'clean', cut: ['kube-proxy'] });
    expect(order).toEqual(['finished cut', 'kube-proxy stopped']);
    await waiting;
  });

  /** The kube proxy's and the private API's own lines about the drain cut. */
  const drainCutLines = (replica: KasReplica) =>
    replica.logs.lines.filter((line) =>
      ['kubeProxy.drainCut', 'privateApi.drainCut'].includes(line.event as string),
    );

  it('says at info, not as a cut of 0 requests, that a second stop signal found nothing in flight', async () => {
    const a = await startReplica('kas-a', { kubeProxy: { listenGrace: '5s' } });
    const stopped = a.kas.stop();
    a.kas.app.cut('signal');
    await stopped;
    expect(drainCutLines(a)).toEqual([
      expect.objectContaining({
        level: 30,
        event: 'privateApi.drainCut',
        forwards: 0,
        reason: 'signal',
        msg: 'no forwarded request was in flight when a second stop signal came',
      }),
      expect.objectContaining({
        level: 30,
        event: 'kubeProxy.drainCut',
        requests: 0,
        reason: 'signal',
        msg: 'no request was in flight when a second stop signal came',
      }),
    ]);
  });

  it('says at info that nothing was in flight when the drain budget ends within the listen grace', async () => {
    const a = await startReplica('kas-a', { kubeProxy: { listenGrace: '5s', drainBudget: '100ms' } });
    expect(await a.kas.stop()).toMatchObject({ cut: ['kube-proxy'] });
    expect(drainCutLines(a)).toEqual([
      expect.objectContaining({
        level: 30,
        event: 'kubeProxy.drainCut',
        requests: 0,
        reason: 'budget',
        msg: 'no request was in flight at the drain budget',
      }),
    ]);
  });
});
