import { get, type IncomingMessage } from 'node:http';
import { text } from 'node:stream/consumers';
import { formatDuration } from '@kas/core';
import { eventually, freePort } from '@kas/testkit';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeKubeApi, startFakeKubeApi } from './support/fakeKubeApi.js';
import { type InProcessAgentk, startAgentkInProcess } from './support/startAgentk.js';
import { type KasReplica, startKasReplica } from './support/startKasReplica.js';

function fetchThrough(url: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => get(url, resolve).on('error', reject));
}

describe('agentk reconnecting', () => {
  let kubeApi: FakeKubeApi | undefined;
  const replicas: KasReplica[] = [];
  let agentk: InProcessAgentk | undefined;
  let otherAgentk: InProcessAgentk | undefined;
  afterEach(async () => {
    await agentk?.app.stop();
    await otherAgentk?.app.stop();
    otherAgentk = undefined;
    for (const replica of replicas.splice(0)) await replica.stop();
    await kubeApi?.close();
  });

  it('gives each of N agents its own connection to kas', async () => {
    kubeApi = await startFakeKubeApi();
    const kas = await startKasReplica();
    replicas.push(kas);
    const names = ['agent-1', 'agent-2', 'agent-3', 'agent-4', 'agent-5'];
    agentk = await startAgentkInProcess(names, {
      kasAddresses: [kas.server.address],
      kubeApi: { url: kubeApi.url },
      minIdleTunnels: 3,
    });
    await eventually(() => kas.server.tunnelCount() === 15);
    expect(kas.server.connectionCount()).toBe(5);
    expect([...kas.registry.connectedAgents()].sort()).toEqual(names);
    const answers = await Promise.all(
      names.map(async (name) => text(await fetchThrough(`${kas.consumerUrl}/${name}/version`))),
    );
    expect(new Set(answers)).toEqual(new Set(['{"major":"1","minor":"32"}']));
  });

  it('retries with backoff while kas is down, and connects once it is up', async () => {
    kubeApi = await startFakeKubeApi();
    const port = await freePort();
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    agentk = await startAgentkInProcess(
      ['agent-1'],
      {
        kasAddresses: [`127.0.0.1:${port}`],
        kubeApi: { url: kubeApi.url },
        minIdleTunnels: 2,
        backoff: { initialMs: 20, maxMs: 100 },
      },
      logger,
    );
    const agent = agentk.agents[0];
    // Three failed tries, each followed by a retry within the backoff's bounds.
    const failures = () => lines.filter((line) => line.event === 'tunnel.failed');
    await eventually(() => failures().length >= 3);
    for (const failure of failures()) expect(failure.retryInMs).toBeLessThanOrEqual(100);
    // grpc-js ends these details with an empty "Resolution note: ": the line ends with the refusal instead.
    const [first] = failures();
    const refused = `connect ECONNREFUSED 127.0.0.1:${port}`;
    expect(first?.details).toMatch(new RegExp(`^No connection established\\. Last error: .*${refused}$`));
    expect(first?.msg).toBe(
      `tunnel to kas at 127.0.0.1:${port} failed (UNAVAILABLE: ${first?.details}); retrying in ${formatDuration(first?.retryInMs as number)}`,
    );
    expect(agent?.stats()).toMatchObject({ idle: 0, busy: 0 });
    const kas = await startKasReplica({ listen: `127.0.0.1:${port}` });
    replicas.push(kas);
    await eventually(() => kas.registry.hasAgent('agent-1') && agent?.stats().idle === 2);
  });

  it('grows its pool for a burst, and kas trims it back to what the agent keeps once the burst is over', async () => {
    kubeApi = await startFakeKubeApi();
    const kas = await startKasReplica({ idleTunnelTimeout: 200 });
    replicas.push(kas);
    agentk = await startAgentkInProcess(['agent-1'], {
      kasAddresses: [kas.server.address],
      kubeApi: { url: kubeApi.url },
      minIdleTunnels: 2,
    });
    const agent = agentk.agents[0];
    await eventually(() => agent?.stats().idle === 2);
    const burst = Array.from({ length: 6 }, () => fetchThrough(`${kas.consumerUrl}/agent-1/slow`));
    await eventually(() => kubeApi?.requests.filter((request) => request.url === '/slow').length === 6);
    // Six busy, and the agent opened spares beside them.
    await eventually(() => kas.server.tunnelCount() >= 8);
    kubeApi.releaseSlow('done');
    const answers = await Promise.all(burst.map(async (response) => text(await response)));
    expect(answers).toEqual(Array(6).fill('done'));

    // Every tunnel idle, more than the agent keeps: kas ends the extra ones, and the agent opens none anew.
    // (kas ends them first; the agent learns of each end a moment later.)
    await eventually(() => kas.server.tunnelCount() === 2 && agent?.stats().idle === 2);
    const trimmed = kas.server.counters()['tunnels.trimmed'] as number;
    expect(trimmed).toBeGreaterThanOrEqual(6);
    const { opened } = agent?.stats() ?? { opened: 0 };

    // No churn. To know the sweeps that could end one of the two kept tunnels have run, a second agent
    // goes through the same burst afterwards: its spares go idle later than agent-1's pool, so when kas
    // has trimmed them, those sweeps have run. agent-1 opened nothing, and kas ended only agent-2's.
    otherAgentk = await startAgentkInProcess(['agent-2'], {
      kasAddresses: [kas.server.address],
      kubeApi: { url: kubeApi.url },
      minIdleTunnels: 2,
    });
    const other = otherAgentk.agents[0];
    await eventually(() => other?.stats().idle === 2);
    const otherBurst = Array.from({ length: 6 }, () => fetchThrough(`${kas.consumerUrl}/agent-2/slow`));
    await eventually(() => kubeApi?.requests.filter((request) => request.url === '/slow').length === 12);
    kubeApi.releaseSlow('done');
    await Promise.all(otherBurst.map(async (response) => text(await response)));
    await eventually(() => kas.server.tunnelCount() === 4 && other?.stats().idle === 2);
    expect(other?.stats().opened).toBeGreaterThan(2);
    expect(kas.server.counters()['tunnels.trimmed']).toBe(trimmed + (other?.stats().opened ?? 0) - 2);
    expect(agent?.stats()).toMatchObject({ idle: 2, busy: 0, opening: 0, opened });
    expect(kas.server.idleTunnelCount()).toBe(4);
    // The pool left still serves.
    expect(await text(await fetchThrough(`${kas.consumerUrl}/agent-1/version`))).toBe(
      '{"major":"1","minor":"32"}',
    );
  });

  it('moves to replica B when replica A stops: GOAWAY, idle tunnels on A end at once, the request in flight on A finishes', async () => {
    kubeApi = await startFakeKubeApi();
    const a = await startKasReplica();
    const b = await startKasReplica();
    replicas.push(a, b);
    agentk = await startAgentkInProcess(['agent-1'], {
      kasAddresses: [a.server.address, b.server.address],
      kubeApi: { url: kubeApi.url },
      minIdleTunnels: 3,
    });
    const agent = agentk.agents[0];
    const seen: string[] = [];
    agent?.on('goaway', ({ kasAddress }) => seen.push(`goaway ${kasAddress}`));
    agent?.on('tunnelsReady', ({ kasAddress }) => seen.push(`ready ${kasAddress}`));
    await eventually(() => a.server.tunnelCount() === 3);

    const inFlight = fetchThrough(`${a.consumerUrl}/agent-1/slow`);
    await eventually(() => kubeApi?.requests.some((request) => request.url === '/slow') === true);
    const stopping = a.kas.stop();
    // Idle tunnels on A end at once; only the busy one stays.
    await eventually(() => a.server.tunnelCount() === 1, { timeoutMs: 2_000 });
    await eventually(() => seen.includes(`ready ${b.server.address}`), { timeoutMs: 5_000 });
    expect(seen).toEqual([
      `ready ${a.server.address}`,
      `goaway ${a.server.address}`,
      `ready ${b.server.address}`,
    ]);
    expect(b.registry.hasAgent('agent-1')).toBe(true);
    expect(a.kas.trace.find((event) => event.type === 'module.mark')).toMatchObject({ name: 'goaway.sent' });

    // New requests are served through B while A drains.
    expect(await text(await fetchThrough(`${b.consumerUrl}/agent-1/version`))).toBe(
      '{"major":"1","minor":"32"}',
    );
    kubeApi.releaseSlow('finished on A');
    expect(await text(await inFlight)).toBe('finished on A');
    expect(await stopping).toMatchObject({ status: 'clean', cut: [] });
  });

  it('cuts a busy tunnel at its own drain budget as a cancel, which kas counts as cancelled, not as an agent breaking the frame order', async () => {
    kubeApi = await startFakeKubeApi();
    const a = await startKasReplica();
    replicas.push(a);
    agentk = await startAgentkInProcess(['agent-1'], {
      kasAddresses: [a.server.address],
      kubeApi: { url: kubeApi.url },
      minIdleTunnels: 1,
      drainBudget: '300ms',
    });
    await eventually(() => a.server.tunnelCount() === 1);
    const inFlight = fetchThrough(`${a.consumerUrl}/agent-1/slow`);
    await eventually(() => kubeApi?.requests.some((request) => request.url === '/slow') === true);

    expect(await agentk.app.stop()).toMatchObject({ status: 'clean', cut: ['agentk'] });
    const answer = await inFlight;
    await new Promise((resolve) => answer.on('close', resolve).resume());
    await eventually(() => a.server.counters()['tunnels.cancelled'] === 1);
    expect(a.server.counters()['tunnels.refused.KAS_FRAME_OUT_OF_ORDER']).toBeUndefined();
  });
});
