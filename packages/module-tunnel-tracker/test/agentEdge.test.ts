import { agentkModule } from '@kas/agentk';
import type { LifecycleEvent } from '@kas/core';
import { startTestApp, type TestApp } from '@kas/core/testing';
import { AgentGrpcServerToken, agentGrpcServerModule, sha256Hex } from '@kas/module-agent-grpc';
import { eventually } from '@kas/testkit';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ReplicaIdentityToken,
  redisConnectionModule,
  TunnelDirectoryToken,
  tunnelTrackerModule,
} from '../src/index.js';
import { startRedisHarness } from './support/replicaHarness.js';

const TOKEN = 'token-of-agent-1-xxxxxxxxxxxxxxxxxxxx';
const silent = pino({ level: 'silent' });

describe('the tracker composed with the real agent gRPC server and a real agentk', () => {
  let harness: Awaited<ReturnType<typeof startRedisHarness>> | undefined;
  const apps: TestApp[] = [];
  afterEach(async () => {
    for (const app of apps.splice(0).reverse()) await app.stop();
    await harness?.close();
  });

  /** A kas replica: agent gRPC server, Redis connection and tunnel tracker, as kas composes them. */
  const startKas = async (id: string, redisUrl: string) => {
    const app = await startTestApp({
      logger: silent,
      modules: [
        agentGrpcServerModule({
          listen: '127.0.0.1:0',
          agents: [{ id: 'agent-1', tokenSha256: sha256Hex(TOKEN) }],
          drainBudget: '2s',
        }),
        redisConnectionModule({ url: redisUrl }),
        tunnelTrackerModule({ store: 'redis', keyPrefix: 'test:tunnels', unregisterDelay: 100 }),
      ],
      provide: [
        { token: ReplicaIdentityToken, useValue: { id, privateAddress: `${id}.replicas.test:8155` } },
      ],
    });
    apps.push(app);
    return app;
  };

  it('advertises a connected agent, withdraws it in the stage that sends GOAWAY, and the agent reappears on B', async () => {
    harness = await startRedisHarness();
    const observer = await harness.startReplica('observer');
    const a = await startKas('replica-a', harness.server.url);
    const b = await startKas('replica-b', harness.server.url);
    const agentk = await startTestApp({
      logger: silent,
      modules: [
        agentkModule({
          agents: [{ name: 'agent-1', token: TOKEN }],
          kasAddresses: [a.app.get(AgentGrpcServerToken).address, b.app.get(AgentGrpcServerToken).address],
          kubeApi: { url: 'http://127.0.0.1:9' }, // never asked: no request goes through the tunnels here
          minIdleTunnels: 2,
          backoff: { initialMs: 20, maxMs: 200 },
        }),
      ],
    });
    apps.push(agentk);

    const holders = async () =>
      (await observer.directory.findReplicas('agent-1')).map((replica) => replica.id);
    await eventually(async () => expect(await holders()).toEqual(['replica-a']));
    expect(await b.app.get(TunnelDirectoryToken).findReplicas('agent-1')).toMatchObject([
      { id: 'replica-a' },
    ]);

    await a.stop();
    apps.splice(apps.indexOf(a), 1);

    const edge = a.trace.find(
      (event): event is Extract<LifecycleEvent, { type: 'stage.begin' }> =>
        event.type === 'stage.begin' && event.phase === 'stop' && event.members.includes('tunnel-tracker'),
    );
    expect([...(edge?.members ?? [])].sort()).toEqual(['agent-grpc-server', 'tunnel-tracker']);
    expect(
      a.trace.find((event) => event.type === 'module.mark' && event.name === 'tunnels.withdrawn'),
    ).toMatchObject({ data: { agents: 1, roundTrips: 1 } });
    await eventually(async () => expect(await holders()).toEqual(['replica-b']));
  });
});
