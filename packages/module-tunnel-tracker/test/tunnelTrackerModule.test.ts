import { CoreError, defineModule, type LifecycleContext, resolvePlan } from '@kas/core';
import { startTestApp } from '@kas/core/testing';
import { TunnelRegistryToken } from '@kas/tunnel-protocol';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import {
  MemoryTunnelTable,
  ReplicaIdentityToken,
  redisConnectionModule,
  TunnelDirectoryToken,
  TunnelTrackerError,
  tunnelTrackerModule,
} from '../src/index.js';
import { AgentPresence } from '../src/testing/index.js';

describe('the tunnel-tracker declaration', () => {
  it('stops with agent-grpc-server, advertises agent tunnels, and needs Redis only for the Redis store', () => {
    const redis = tunnelTrackerModule({ store: 'redis' });
    const memory = tunnelTrackerModule({ store: 'memory' });
    for (const module of [redis, memory]) {
      expect(module).toMatchObject({
        name: 'tunnel-tracker',
        stop: { with: ['agent-grpc-server'] },
        advertises: ['agent-tunnels'],
        drainBudget: 5_000,
      });
    }
    expect(Object.keys(redis.needs ?? {})).toEqual(['registry', 'replica', 'redis']);
    expect(Object.keys(memory.needs ?? {})).toEqual(['registry', 'replica']);
  });

  it('in a kas-shaped graph: one stop stage with the agent gRPC server, the Redis connection after it', () => {
    // A declaration of the agent gRPC server's graph position only: resolvePlan never creates it.
    const agentGrpcServer = defineModule({
      name: 'agent-grpc-server',
      accepts: ['agent-tunnels'],
      provides: { registry: TunnelRegistryToken },
      create: () => {
        throw new Error('not created by resolvePlan');
      },
    });
    const plan = resolvePlan({
      modules: [redisConnectionModule(), agentGrpcServer, tunnelTrackerModule({ store: 'redis' })],
      provide: [{ token: ReplicaIdentityToken, useValue: { id: 'a', privateAddress: 'a:8155' } }],
    });
    const stages = plan.stop.stages.map((stage) => ({
      members: [...stage.members].sort(),
      follows: stage.follows,
    }));
    const edge = stages.find((stage) => stage.members.includes('tunnel-tracker'));
    expect(edge?.members).toEqual(['agent-grpc-server', 'tunnel-tracker']);
    const infrastructure = plan.stop.stages.find((stage) => stage.members.includes('redis-connection'));
    expect(infrastructure?.follows).toEqual([
      plan.stop.stages.find((s) => s.members.includes('tunnel-tracker'))?.id,
    ]);
  });

  it("reads the replica's private address when it writes, so a provider may fill it in at its own start", async () => {
    const table = new MemoryTunnelTable();
    const identity = { id: 'replica-a', privateAddress: '' };
    // Like the private API module: it knows its address only once it listens.
    const privateApi = defineModule({
      name: 'private-api',
      provides: { replica: ReplicaIdentityToken },
      create: () => ({
        provides: { replica: identity },
        start: async () => {
          identity.privateAddress = '127.0.0.1:8155';
        },
        stop: async () => {},
      }),
    });
    const a = await startTestApp({
      modules: [privateApi, tunnelTrackerModule({ store: 'memory', table })],
      overrides: { 'tunnel-tracker': { stop: {} } },
      provide: [{ token: TunnelRegistryToken, useValue: new AgentPresence(['agent-1']) }],
    });
    expect(table.liveEntries('agent-1')).toMatchObject([
      { replicaId: 'replica-a', privateAddress: '127.0.0.1:8155' },
    ]);
    expect(a.app.get(TunnelDirectoryToken)).toBeDefined();
    await a.stop();
  });

  it('fails its start with KAS_TUNNEL_TRACKER_CONFIG_INVALID when the replica identity is empty', async () => {
    await expect(
      startTestApp({
        modules: [tunnelTrackerModule()],
        overrides: { 'tunnel-tracker': { stop: {} } },
        provide: [
          { token: TunnelRegistryToken, useValue: new AgentPresence() },
          { token: ReplicaIdentityToken, useValue: { id: '', privateAddress: 'a:8155' } },
        ],
      }),
    ).rejects.toMatchObject({ cause: { code: 'KAS_TUNNEL_TRACKER_CONFIG_INVALID' } });
  });
});

describe('configuration errors', () => {
  it.each([
    [
      { store: 'redis', refreshPeriod: '60s', entryTtl: '60s' },
      'tunnel-tracker config: refreshPeriod: must be shorter than entryTtl (1m is not below 1m), or entries expire between refreshes: a third of entryTtl lets two refreshes fail',
    ],
    [
      { store: 'memory', unregisterDelay: 'soon' },
      `tunnel-tracker config: unregisterDelay: expected a duration: milliseconds, or a string such as '500ms', '10s', '75m' or '1h' (got "soon")`,
    ],
    [
      { store: 'memory', cleanUpPeriod: 0 },
      'tunnel-tracker config: cleanUpPeriod: expected a duration longer than 0 (got 0)',
    ],
    [
      { store: 'redis', keyPrefix: 'kas:{tunnels}' },
      "tunnel-tracker config: keyPrefix: expected a non-empty prefix without '{' or '}' (braces would change the Cluster hash tags), such as 'kas:tunnels' or 'kas-staging:tunnels'",
    ],
    [
      { store: 'disk' },
      "tunnel-tracker config: store: expected store: 'redis' (replicas sharing Redis) or store: 'memory' (a single replica)",
    ],
    [{ store: 'memory', keyPrefix: 'kas' }, 'tunnel-tracker config: keyPrefix: unknown key'],
  ])('tunnelTrackerModule(%j) throws KAS_TUNNEL_TRACKER_CONFIG_INVALID naming the key', (config, message) => {
    expect(() => tunnelTrackerModule(config as never)).toThrow(
      expect.objectContaining({ code: 'KAS_TUNNEL_TRACKER_CONFIG_INVALID', message }),
    );
  });

  it('takes its drain budget from the config (default 5 s)', () => {
    expect(tunnelTrackerModule().drainBudget).toBe(5_000);
    expect(tunnelTrackerModule({ store: 'redis', drainBudget: '2s' }).drainBudget).toBe(2_000);
  });

  it.each([
    [
      { url: 'not a url' },
      "redis-connection config: url: expected a URL such as 'redis://127.0.0.1:6379' or 'rediss://host:6380' for TLS (redis: or rediss:, with a host)",
    ],
    [
      { url: 'http://user:secret@redis:6379' },
      "redis-connection config: url: expected a URL such as 'redis://127.0.0.1:6379' or 'rediss://host:6380' for TLS (redis: or rediss:, with a host)",
    ],
    [
      { cluster: [] },
      "redis-connection config: cluster: expected at least one startup node, e.g. cluster: [{ host: 'redis-0', port: 6379 }]",
    ],
  ])(
    'redisConnectionModule(%j) throws KAS_REDIS_CONFIG_INVALID naming the key, never the password',
    (config, message) => {
      expect(() => redisConnectionModule(config as never)).toThrow(
        expect.objectContaining({ code: 'KAS_REDIS_CONFIG_INVALID', message }),
      );
    },
  );
});

describe('a tracker started twice', () => {
  it('is refused with KAS_TUNNEL_TRACKER_STATE, a TunnelTrackerError (a CoreError), not a plain Error', async () => {
    const log = pino({ level: 'silent' });
    const instance = tunnelTrackerModule({ store: 'memory' }).create({
      registry: new AgentPresence([]),
      replica: { id: 'replica-a', privateAddress: '127.0.0.1:8155' },
      log,
    } as never);
    const ctx = {
      log,
      signal: new AbortController().signal,
      progress: () => {},
      mark: () => {},
    } as unknown as LifecycleContext;
    await instance.start?.(ctx);
    const second = await Promise.resolve(instance.start?.(ctx)).catch((error: unknown) => error);
    expect(second).toBeInstanceOf(TunnelTrackerError);
    expect(second).toBeInstanceOf(CoreError);
    expect(second).toMatchObject({
      code: 'KAS_TUNNEL_TRACKER_STATE',
      message: 'tunnel-tracker: cannot start, it is running',
    });
    await instance.stop?.(ctx);
  });
});
