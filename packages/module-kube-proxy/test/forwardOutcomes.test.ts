import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { MemoryTunnelTable } from '@kas/module-tunnel-tracker';
import { eventually, openStream, send, spawnKubectl } from '@kas/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { aliceToken } from './support/identities.js';
import { startAgent, startCluster, type TestAgent, type TestCluster } from './support/startCluster.js';
import { type KasReplica, type KasReplicaOptions, startKasReplica } from './support/startKasReplica.js';
import { addRunningPod } from './support/startPodReplica.js';

/**
 * A TCP relay in front of a replica's private API that can stop passing bytes, as a paused (SIGSTOP)
 * replica does: its connections stay open, and nothing comes back.
 */
interface FreezableRelay {
  readonly address: string;
  target: string | undefined;
  freeze(): void;
  close(): Promise<void>;
}

async function startFreezableRelay(): Promise<FreezableRelay> {
  const sockets = new Set<Socket>();
  let isFrozen = false;
  const relay: FreezableRelay = {
    address: '',
    target: undefined,
    freeze: () => {
      isFrozen = true;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer((client) => {
    const [host, port] = (relay.target as string).split(':');
    const upstream = connect(Number(port), host);
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(from);
      from.on('data', (chunk) => {
        if (!isFrozen) to.write(chunk);
      });
      from.on('error', () => to.destroy());
      from.on('close', () => {
        sockets.delete(from);
        to.destroy();
      });
    }
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return Object.assign(relay, { address: `127.0.0.1:${(server.address() as AddressInfo).port}` });
}

/** A TCP server that accepts connections and never sends a byte: a replica that never answers. */
interface SilentServer {
  readonly address: string;
  readonly connections: number;
  close(): Promise<void>;
}

async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.once('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    get connections() {
      return connections;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('what a client sees when a request goes through a forwarding replica', () => {
  let cluster: TestCluster;
  let table: MemoryTunnelTable;
  let ca: string;
  let replicas: KasReplica[];
  let agents: TestAgent[];
  let relays: FreezableRelay[];
  let silentServers: SilentServer[];

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
  const connectAgent = async (
    kasAddresses: readonly string[],
    agentId: 'agent-1' | 'agent-2' = 'agent-1',
    tunnels = {},
  ) => {
    const agent = await startAgent(cluster.upstream, kasAddresses, agentId, tunnels);
    agents.push(agent);
    return agent;
  };
  const version = (replica: KasReplica, agentId = 'agent-1') =>
    send(`${replica.proxy.url}/version`, { ca, token: aliceToken(agentId) });
  /** A directory entry for agent-1 of a replica that accepts connections and never answers (frozen, lost). */
  const staleSilentReplica = async () => {
    const dead = await startSilentServer();
    silentServers.push(dead);
    table.write('agent-1', 'kas-dead', dead.address, 60_000);
    return dead;
  };
  /** The routes through kas-dead that failed before an answer came, as `replica` logged them. */
  const failedTriesOfDead = (replica: KasReplica) =>
    replica.logs.lines.filter((line) => line.event === 'route.retry' && line.replicaId === 'kas-dead').length;

  beforeEach(async () => {
    cluster = await startCluster();
    ca = cluster.certificates.ca.cert;
    table = new MemoryTunnelTable();
    replicas = [];
    agents = [];
    relays = [];
    silentServers = [];
  });
  afterEach(async () => {
    for (const agent of agents) await agent.app.stop();
    for (const relay of relays) await relay.close();
    for (const silent of silentServers) await silent.close();
    for (const replica of replicas) await replica.kas.stop();
    await cluster.stop();
  });

  it('tells a kubectl exec through the forwarding replica why it ended when the holder cuts it at its drain budget, and logs it (it was a bare 1006 close)', async () => {
    const a = await startReplica('kas-a', {
      privateApi: { drainBudget: '1s' },
      kubeProxy: { listenGrace: '100ms' },
    });
    const b = await startReplica('kas-b');
    await connectAgent([a.agentAddress]);
    await eventually(() => a.registry.hasAgent('agent-1'));
    const kubeconfigPath = await addRunningPod(cluster, b.proxy.url);
    const session = spawnKubectl(cluster.dir, kubeconfigPath, ['exec', '-i', 'web-0', '--', 'cat'], {
      stdin: 'pipe',
    });
    session.child.stdin?.write('through b\n');
    await session.waitForLine((line) => line.text === 'through b', 15_000);

    expect(await a.kas.stop()).toMatchObject({ cut: ['private-api'] });
    const exit = await session.exited;
    expect(exit.code).not.toBe(0);
    const output = session.lines.map((line) => line.text).join('\n');
    expect(output).toContain(
      'close 1001 (going away): kas ended the connection: the replica is stopping; its drain budget (privateApi.drainBudget, 1s) ended: reconnect',
    );
    expect(output).not.toContain('1006');
    expect(output).not.toContain('127.0.0.1');
    await eventually(() => b.metrics.snapshot().upgrades.byEnding.upstreamFailed === 1);
    expect(b.logs.lines).toContainEqual(
      expect.objectContaining({
        event: 'response.broken',
        agentId: 'agent-1',
        route: 'remote',
        reason: expect.stringMatching(
          /^forwarding to replica "kas-a" at 127\.0\.0\.1:\d+ failed: cut by the private API: .*privateApi\.drainBudget/,
        ),
      }),
    );
  });

  it('sends a GET again when the replica it was forwarded to goes silent before answering, and the agent has meanwhile moved here (it answered 502 at the heartbeat loss)', async () => {
    const relay = await startFreezableRelay();
    relays.push(relay);
    const a = await startReplica('kas-a', {
      privateApi: { advertiseAddress: relay.address, keepalive: { time: '1s', timeout: '1s' } },
    });
    relay.target = a.privateApi.address;
    // The tunnel wait is over long before A's silence is noticed (1 s heartbeat plus 1 s).
    const b = await startReplica('kas-b', { kubeProxy: { tunnelWait: '300ms' } });
    await connectAgent([a.agentAddress]);
    await eventually(async () => (await version(b)).status === 200);

    relay.freeze(); // A as if paused: its connection stays open and says nothing
    const answers = Promise.all([version(b), version(b)]);
    await eventually(() => b.metrics.snapshot().inFlight === 2);
    await connectAgent([b.agentAddress]); // agentk moved to B
    await eventually(() => b.registry.hasAgent('agent-1'));

    expect((await answers).map((answer) => answer.status)).toEqual([200, 200]);
    expect(b.metrics.snapshot().requestsByRoute.local).toBe(2);
    const retries = b.logs.lines.filter((line) => line.event === 'route.retry');
    expect(retries).toHaveLength(2);
    // Each one learnt why its forward broke, not grpc-js's "Cancelled on client".
    for (const retry of retries) expect(String(retry.reason)).toMatch(/is lost: it sent nothing for/);
  });

  it("passes on the holder's 504 Timeout, Retry-After and message when the agent's tunnels there stay busy, without an internal address", async () => {
    const a = await startReplica('kas-a', { kubeProxy: { tunnelWait: '300ms' } });
    const b = await startReplica('kas-b', { kubeProxy: { tunnelWait: '300ms' } });
    await connectAgent([a.agentAddress], 'agent-2', { minIdleTunnels: 1, maxTunnels: 1 });
    await eventually(async () => (await version(a, 'agent-2')).status === 200);
    const watch = await openStream(`${a.proxy.url}/api/v1/namespaces/default/pods?watch=1`, {
      ca,
      token: aliceToken('agent-2'),
    });
    expect(watch.status).toBe(200); // holds the agent's only tunnel

    const direct = await version(a, 'agent-2');
    const forwarded = await version(b, 'agent-2');
    watch.close();
    expect(direct.status).toBe(504);
    expect(forwarded.status).toBe(504);
    expect(forwarded.headers['retry-after']).toBe(direct.headers['retry-after']);
    const status = JSON.parse(forwarded.body);
    expect(status).toMatchObject({ reason: 'Timeout', code: 504, details: { retryAfterSeconds: 1 } });
    expect(status.message).toMatch(
      /^agent "agent-2" is connected, but none of its tunnels became free within \d+(?:ms|s)(?: \d+ms)?$/,
    );
    expect(forwarded.body).not.toContain('127.0.0.1');
    const unrouted = b.logs.lines.find((line) => line.event === 'request.unrouted');
    expect(unrouted).toMatchObject({
      status: 504,
      code: 'KAS_TUNNEL_WAIT_TIMEOUT',
      cause: {
        code: 'KAS_FORWARD_REFUSED',
        message: expect.stringMatching(
          /^replica "kas-a" at 127\.0\.0\.1:\d+ answered KAS_TUNNEL_WAIT_TIMEOUT/,
        ),
      },
    });
    expect(unrouted?.fix).not.toMatch(/another route is tried/);
  });

  it('answers 502 at privateApiConnectTimeout when the replica the directory names accepts the connection and never answers, naming it only in the log (it waited for responseHeaderTimeout)', async () => {
    const silent = await startSilentServer();
    silentServers.push(silent);
    table.write('agent-1', 'kas-silent', silent.address, 60_000);
    // Only the bound can end this request before the test's own time-out: responseHeaderTimeout is 60 s.
    const b = await startReplica('kas-b', {
      kubeProxy: { tunnelWait: '1s', responseHeaderTimeout: '60s', privateApiConnectTimeout: '300ms' },
    });

    const answer = await version(b);
    expect(silent.connections).toBeGreaterThanOrEqual(1);
    expect(answer.status).toBe(502);
    const status = JSON.parse(answer.body);
    expect(status).toMatchObject({ kind: 'Status', reason: 'BadGateway', code: 502 });
    expect(status.message).toBe(
      'forwarding the request to the kas replica holding agent "agent-1" failed: it did not complete the connection within 300ms (it accepted it but never answered, or never accepted it); the details are in the kas log, for its operator',
    );
    expect(answer.body).not.toContain('127.0.0.1');
    expect(answer.body).not.toContain(silent.address.split(':')[1]);
    expect(b.logs.lines.filter((line) => line.event === 'request.unrouted')).toEqual([
      expect.objectContaining({
        status: 502,
        code: 'KAS_FORWARD_FAILED',
        msg: `forwarding to replica "kas-silent" at ${silent.address} failed: the connection was not established within 300ms (kubeProxy.privateApiConnectTimeout): it accepted the TCP connection but never completed the TLS and HTTP/2 handshake, or never accepted it`,
        fix: expect.stringContaining(`check that replica "kas-silent" at ${silent.address} is a kas replica`),
      }),
    ]);
  });

  it('passes over a replica it could not reach while another holds the agent: one request waits privateApiConnectTimeout for the stale entry of a dead replica, not every other one for its entry TTL', async () => {
    // A replica on a lost node (or frozen) left its entry for the agent, which has moved to A: the
    // directory names both until the entry expires.
    const dead = await staleSilentReplica();
    const a = await startReplica('kas-a');
    const b = await startReplica('kas-b', { kubeProxy: { privateApiConnectTimeout: '300ms' } });
    await connectAgent([a.agentAddress]);
    await eventually(async () => (await version(b)).status === 200);
    const triesOfDead = () => failedTriesOfDead(b);

    // Each request picks one of the two at random until the dead one has been tried.
    for (let i = 0; i < 30 && dead.connections === 0; i += 1) expect((await version(b)).status).toBe(200);
    await eventually(() => triesOfDead() >= 1);
    const [tries, connections] = [triesOfDead(), dead.connections];
    for (let i = 0; i < 12; i += 1) expect((await version(b)).status).toBe(200);

    expect(triesOfDead()).toBe(tries);
    expect(dead.connections).toBe(connections);
    expect(b.logs.lines.filter((line) => line.event === 'replica.failing')).toEqual([
      expect.objectContaining({
        level: 40,
        replicaId: 'kas-dead',
        address: dead.address,
        forMs: 60_000,
        reason: expect.stringContaining('was not established within 300ms'),
      }),
    ]);
  });

  it('tries a replica that took a second or more to fail once per request: a request for an agent only a silent replica holds ends at its tunnel wait, after one connection', async () => {
    const dead = await staleSilentReplica();
    const b = await startReplica('kas-b', {
      kubeProxy: { tunnelWait: '3s', privateApiConnectTimeout: '1s' },
    });

    // It tried the silent replica again each second of the tunnel wait, and once more after it: 4 connections.
    const answer = await version(b);
    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.body).message).toBe(
      'forwarding the request to the kas replica holding agent "agent-1" failed: it did not complete the connection within 1s (it accepted it but never answered, or never accepted it); the details are in the kas log, for its operator',
    );
    expect(dead.connections).toBe(1);
  });

  it('lets one request at a time try a replica that failed and alone holds the agent: the others are answered when the agent connects here, not after that try (found by an operator trial: they waited 20-30 s)', async () => {
    // A frozen replica's entry: it accepts connections and never answers.
    const dead = await staleSilentReplica();
    const b = await startReplica('kas-b', {
      kubeProxy: { tunnelWait: '20s', privateApiConnectTimeout: '4s' },
    });
    const failedTries = () => failedTriesOfDead(b);
    const triesAtAnswer: number[] = [];
    const request = () =>
      version(b).then((answer) => {
        triesAtAnswer.push(failedTries());
        return answer;
      });

    const first = request();
    await eventually(() => failedTries() === 1); // 4 s: passed over from now on
    const later = Array.from({ length: 4 }, request);
    await eventually(() => dead.connections === 2); // one of them tries it again
    await eventually(() => b.metrics.snapshot().inFlight === 5);
    await new Promise((resolve) => setTimeout(resolve, 300)); // the others have looked the agent up
    await connectAgent([b.agentAddress]); // the agent comes back, here

    const answers = await Promise.all([first, ...later]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
    // Four were answered before the try in flight failed (it had 4 s); the request that made it, after.
    expect(triesAtAnswer).toEqual([1, 1, 1, 1, 2]);
    expect(dead.connections).toBe(2);
  });

  it('ends a kubectl get -w whose forward breaks between two events with an ERROR event saying why: kubectl prints it (it ended in silence; found by an operator trial)', async () => {
    const relay = await startFreezableRelay();
    relays.push(relay);
    const a = await startReplica('kas-a', { privateApi: { advertiseAddress: relay.address } });
    relay.target = a.privateApi.address;
    const b = await startReplica('kas-b');
    await connectAgent([a.agentAddress]);
    await eventually(async () => (await version(b)).status === 200);
    const kubeconfigPath = await addRunningPod(cluster, b.proxy.url);
    const watch = spawnKubectl(cluster.dir, kubeconfigPath, ['get', 'pods', '-w']);
    await watch.waitForLine((line) => line.text.startsWith('web-0'), 15_000); // the list
    // The watch that follows it is open, its head sent.
    await eventually(() => b.metrics.snapshot().inFlight === 1);
    await new Promise((resolve) => setTimeout(resolve, 500));

    await relay.close(); // the connection between the replicas breaks
    // kubectl 1.32 exits 0 when a watch ends, with an ERROR event or without: its output tells.
    expect(await watch.exited).toMatchObject({ code: 0 });
    const output = watch.lines.map((line) => line.text).join('\n');
    expect(output).toMatch(
      /Failure\s+BadGateway\s+the watch broke off: forwarding the request to the kas replica holding agent "agent-1" failed: /,
    );
    expect(output).not.toContain('127.0.0.1');
    expect(b.logs.lines).toContainEqual(expect.objectContaining({ event: 'response.broken' }));
  });

  it("logs a refused connection's reason without grpc-js's empty resolution note", async () => {
    table.write('agent-1', 'kas-gone', '127.0.0.1:1', 60_000);
    const b = await startReplica('kas-b', { kubeProxy: { tunnelWait: '500ms' } });
    expect((await version(b)).status).toBe(502);
    const failing = b.logs.lines.find((line) => line.event === 'replica.failing');
    expect(failing?.reason).toMatch(/ECONNREFUSED 127\.0\.0\.1:1/);
    expect(failing?.reason).not.toMatch(/Resolution note/);
  });

  it('still tries a replica it could not reach when no other holds the agent, and takes it back once it answers', async () => {
    const relay = await startFreezableRelay();
    relays.push(relay);
    const a = await startReplica('kas-a', { privateApi: { advertiseAddress: relay.address } });
    const b = await startReplica('kas-b', {
      kubeProxy: { tunnelWait: '1s', privateApiConnectTimeout: '300ms' },
    });
    await connectAgent([a.agentAddress]);
    // Nothing listens behind the relay yet: B's connections through it end at once.
    relay.target = '127.0.0.1:1';
    expect((await version(b)).status).toBe(502);
    expect(b.logs.lines).toContainEqual(
      expect.objectContaining({ event: 'replica.failing', replicaId: 'kas-a' }),
    );

    relay.target = a.privateApi.address;
    await eventually(async () => (await version(b)).status === 200);
    expect(b.logs.lines).toContainEqual(
      expect.objectContaining({ event: 'replica.recovered', replicaId: 'kas-a', address: relay.address }),
    );
    expect((await version(b)).status).toBe(200);
  });

  it('takes a new Forward call that gets no answer from a replica that answered before for a lost connection, at privateApiConnectTimeout, long before its heartbeat limit', async () => {
    const relay = await startFreezableRelay();
    relays.push(relay);
    const a = await startReplica('kas-a', { privateApi: { advertiseAddress: relay.address } });
    relay.target = a.privateApi.address;
    const b = await startReplica('kas-b', {
      kubeProxy: { tunnelWait: '1s', responseHeaderTimeout: '60s', privateApiConnectTimeout: '1s' },
    });
    await connectAgent([a.agentAddress]);
    await eventually(async () => (await version(b)).status === 200);
    // The watch holds B's one Forward call to A: the next request opens a new one.
    const watch = await openStream(`${b.proxy.url}/api/v1/namespaces/default/pods?watch=1`, {
      ca,
      token: aliceToken('agent-1'),
    });
    expect(watch.status).toBe(200);

    relay.freeze(); // A as if paused; its heartbeats (every 30 s, 10 s to answer) would tell only in 40 s
    const answer = await version(b);
    watch.close();
    expect(answer.status).toBe(502);
    expect(answer.body).not.toContain('127.0.0.1');
    expect(b.logs.lines).toContainEqual(
      expect.objectContaining({
        event: 'route.retry',
        code: 'KAS_FORWARD_FAILED',
        reason: `forwarding to replica "kas-a" at ${relay.address} failed: it accepted the connection but never answered the Forward call within 1s (kubeProxy.privateApiConnectTimeout), as a kas replica does at once`,
      }),
    );
    // The watch was on the same connection: it broke with the same reason.
    expect(b.logs.lines).toContainEqual(
      expect.objectContaining({
        event: 'response.broken',
        reason: expect.stringContaining('accepted the connection but never answered the Forward call'),
      }),
    );
  });

  it('does not cut a Forward call whose replica waits longer than privateApiConnectTimeout for a busy tunnel: it answered the call at once', async () => {
    const a = await startReplica('kas-a');
    const b = await startReplica('kas-b', {
      kubeProxy: { tunnelWait: '3s', privateApiConnectTimeout: '1s' },
    });
    await connectAgent([a.agentAddress], 'agent-2', { minIdleTunnels: 1, maxTunnels: 1 });
    await eventually(async () => (await version(b, 'agent-2')).status === 200);
    const watch = await openStream(`${a.proxy.url}/api/v1/namespaces/default/pods?watch=1`, {
      ca,
      token: aliceToken('agent-2'),
    });
    expect(watch.status).toBe(200); // holds the agent's only tunnel
    const callsBefore = a.privateApi.counters().calls;

    // Two at once: one takes B's idle call to A, the other opens a new one. Both wait at A for the tunnel
    // wait (3 s), far past the bound, and get A's answer.
    const answers = await Promise.all([version(b, 'agent-2'), version(b, 'agent-2')]);
    watch.close();
    expect(answers.map((answer) => answer.status)).toEqual([504, 504]);
    expect(a.privateApi.counters().calls).toBe(callsBefore + 1);
    for (const answer of answers) {
      expect(JSON.parse(answer.body).message).toMatch(
        /^agent "agent-2" is connected, but none of its tunnels became free within \d+(?:ms|s)(?: \d+ms)?$/,
      );
    }
    expect(b.logs.lines.filter((line) => line.code === 'KAS_FORWARD_FAILED')).toEqual([]);
  });
});
