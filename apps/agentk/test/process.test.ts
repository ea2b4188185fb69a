import { get, type IncomingMessage } from 'node:http';
import { text } from 'node:stream/consumers';
import { EXIT_CODES } from '@kas/core';
import type { RunningProcess } from '@kas/testkit';
import { eventually } from '@kas/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeKubeApi, startFakeKubeApi } from './support/fakeKubeApi.js';
import { startAgentkProcess, type TokenFiles, writeTokenFiles } from './support/startAgentk.js';
import { type KasReplica, startKasReplica } from './support/startKasReplica.js';

function fetchThrough(url: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => get(url, resolve).on('error', reject));
}

describe('the agentk process', () => {
  let kubeApi: FakeKubeApi;
  let kas: KasReplica;
  let tokens: TokenFiles;
  const children: RunningProcess[] = [];
  const agentk = (args: readonly string[], env?: Record<string, string>) => {
    const child = startAgentkProcess(args, env);
    children.push(child);
    return child;
  };
  beforeEach(async () => {
    [kubeApi, kas, tokens] = await Promise.all([startFakeKubeApi(), startKasReplica(), writeTokenFiles()]);
  });
  afterEach(async () => {
    await Promise.all(children.splice(0).map((child) => child.stop()));
    await kas.stop();
    await kubeApi.close();
    await tokens.remove();
  });

  it('killed mid-request: the client gets a clear error, and kas keeps serving other agents', async () => {
    const doomed = agentk([
      '--kas',
      kas.server.address,
      '--token-file',
      tokens.fileOf('agent-1'),
      '--kube-api',
      kubeApi.url,
    ]);
    const survivor = agentk([
      '--kas',
      kas.server.address,
      '--token-file',
      tokens.fileOf('agent-2'),
      '--kube-api',
      kubeApi.url,
    ]);
    await Promise.all([
      doomed.waitForLog({ event: 'tunnels.ready' }),
      survivor.waitForLog({ event: 'tunnels.ready' }),
    ]);

    const inFlight = fetchThrough(`${kas.consumerUrl}/agent-1/slow`);
    await eventually(() => kubeApi.requests.some((request) => request.url === '/slow'));
    doomed.signal('SIGKILL');
    const answer = await inFlight;
    expect(answer.statusCode).toBe(502);
    expect(await text(answer)).toBe('KAS_TUNNEL_BROKEN');
    await eventually(() => !kas.registry.hasAgent('agent-1'));

    const other = await fetchThrough(`${kas.consumerUrl}/agent-2/version`);
    expect(await text(other)).toBe('{"major":"1","minor":"32"}');
    expect(kas.server.counters()['tunnels.cancelled']).toBeGreaterThanOrEqual(1);
    expect(kas.server.counters()['tunnels.refused.KAS_FRAME_OUT_OF_ORDER']).toBeUndefined();
  });

  it('on SIGTERM closes its idle tunnels, lets the request in flight finish, and exits 0', async () => {
    const child = agentk([
      '--kas',
      kas.server.address,
      '--token-file',
      tokens.fileOf('agent-1'),
      '--kube-api',
      kubeApi.url,
      '--tunnels',
      '3',
    ]);
    expect(await child.waitForLog({ event: 'tunnels.ready' })).toMatchObject({
      agent: 'agent-1',
      kasAddress: kas.server.address,
      tunnels: 3,
      monotonicMs: expect.any(Number),
      wallMs: expect.any(Number),
    });
    const inFlight = fetchThrough(`${kas.consumerUrl}/agent-1/slow`);
    await eventually(() => kubeApi.requests.some((request) => request.url === '/slow'));
    child.signal('SIGTERM');
    await child.waitForLog({ event: 'module.stopping', module: 'agentk' });
    await eventually(() => kas.server.tunnelCount() === 1);
    kubeApi.releaseSlow('done');
    expect(await text(await inFlight)).toBe('done');
    expect(await child.exited).toEqual({ code: EXIT_CODES.clean, signal: null });
  });

  it('logs GOAWAY from replica A and its tunnels being live on replica B, with timestamps to line them up', async () => {
    const b = await startKasReplica();
    try {
      const child = agentk([
        '--kas',
        `${kas.server.address},${b.server.address}`,
        '--token-file',
        tokens.fileOf('agent-1'),
        '--kube-api',
        kubeApi.url,
      ]);
      await child.waitForLog({ event: 'tunnels.ready', kasAddress: kas.server.address });
      await kas.kas.stop();
      const goaway = await child.waitForLog({ event: 'kas.goaway', kasAddress: kas.server.address });
      const ready = await child.waitForLog({ event: 'tunnels.ready', kasAddress: b.server.address });
      expect(goaway).toMatchObject({
        agent: 'agent-1',
        tunnels: expect.any(Number),
        wallMs: expect.any(Number),
      });
      expect(ready.monotonicMs as number).toBeGreaterThan(goaway.monotonicMs as number);
      expect(b.registry.hasAgent('agent-1')).toBe(true);
    } finally {
      await b.stop();
    }
  });

  it('takes its settings from AGENTK_* environment variables', async () => {
    const child = agentk([], {
      AGENTK_KAS: kas.server.address,
      AGENTK_TOKEN_FILE: tokens.fileOf('agent-3'),
      AGENTK_KUBE_API: kubeApi.url,
      AGENTK_TUNNELS: '2',
    });
    expect(await child.waitForLog({ event: 'tunnels.ready' })).toMatchObject({
      agent: 'agent-3',
      tunnels: 2,
    });
    expect(kas.registry.hasAgent('agent-3')).toBe(true);
  });

  it('runs many agents, each with its own connection, from a token file pattern', async () => {
    const child = agentk([
      '--kas',
      kas.server.address,
      '--agents',
      '4',
      '--token-file-pattern',
      `${tokens.dir}/agent-{i}.token`,
      '--kube-api',
      kubeApi.url,
      '--tunnels',
      '2',
    ]);
    await eventually(() => kas.registry.connectedAgents().length === 4 && kas.server.tunnelCount() === 8);
    expect(kas.server.connectionCount()).toBe(4);
    await eventually(() => child.logs().filter((log) => log.event === 'tunnels.ready').length === 4);
    expect(new Set(child.logs().map((log) => log.agent))).toEqual(
      new Set([undefined, 'agent-1', 'agent-2', 'agent-3', 'agent-4']),
    );
  });

  it('exits 2 naming the file when the token file cannot be read', async () => {
    const child = agentk([
      '--kas',
      kas.server.address,
      '--token-file',
      '/nonexistent/agent.token',
      '--kube-api',
      kubeApi.url,
    ]);
    expect(await child.exited).toMatchObject({ code: 2 });
    expect(child.logs().find((log) => log.event === 'agentk.invalidConfig')).toMatchObject({
      code: 'AGENTK_FILE_UNREADABLE',
      msg: expect.stringContaining('/nonexistent/agent.token'),
    });
  });

  it('exits 2 with a usage error when a required flag is missing', async () => {
    const child = agentk(['--token-file', tokens.fileOf('agent-1')]);
    expect(await child.exited).toMatchObject({ code: 2 });
    expect(child.lines.map((line) => line.text).join('\n')).toMatch(
      /required option '--kas <addresses>' not specified/,
    );
  });
});
