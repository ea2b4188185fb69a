import type { AnyModule, StopOutcome } from '@kas/core';
import { startTestApp, type TestApp } from '@kas/core/testing';
import { type RedisServer, startRedis } from '@kas/testkit';
import { TunnelRegistryToken } from '@kas/tunnel-protocol';
import { Redis, type RedisOptions } from 'ioredis';
import {
  MemoryTunnelTable,
  RedisToken,
  type ReplicaIdentity,
  ReplicaIdentityToken,
  redisConnectionModule,
  type TrackerTimingsConfig,
  type TunnelDirectory,
  TunnelDirectoryToken,
  type TunnelTrackerMetricsSource,
  TunnelTrackerMetricsToken,
  tunnelTrackerModule,
} from '../../src/index.js';
import { agentKey } from '../../src/redis/tunnelKeys.js';
import { AgentPresence } from '../../src/testing/index.js';
import { captureLogs } from './captureLogs.js';

/** Short timings so that expiry, refresh and clean-up happen within a test. */
export const FAST_TIMINGS: TrackerTimingsConfig = {
  entryTtl: 800,
  refreshPeriod: 250,
  cleanUpPeriod: 250,
  unregisterDelay: 150,
};

/** One replica: an app with the tracker (and for Redis its connection), fed by an `AgentPresence`. */
export interface TestReplica {
  readonly identity: ReplicaIdentity;
  readonly presence: AgentPresence;
  readonly testApp: TestApp;
  readonly directory: TunnelDirectory;
  readonly metrics: TunnelTrackerMetricsSource;
  /** Every log line the replica wrote, parsed. */
  readonly logs: readonly Record<string, unknown>[];
  stop(): Promise<StopOutcome>;
}

/** How to start a replica. */
export interface ReplicaOptions {
  readonly timings?: TrackerTimingsConfig;
  /** Agents connected before the tracker starts. */
  readonly agents?: readonly string[];
  /** More modules in the replica's app (e.g. a probe that uses the directory while stopping). */
  readonly modules?: readonly AnyModule[];
  readonly overrides?: Record<string, { readonly drainBudget?: number; readonly startBudget?: number }>;
  /** ioredis options of the replica's Redis connection (Redis harness only). */
  readonly connection?: RedisOptions;
}

/** Starts replicas against one store and reads the store directly; one behaviour suite runs on each. */
export interface DirectoryHarness {
  readonly store: 'redis' | 'memory';
  startReplica(id: string, options?: ReplicaOptions): Promise<TestReplica>;
  /** The replica dies without stopping: nothing it does reaches the store any more. */
  kill(replica: TestReplica): Promise<void>;
  /** Entries stored for the agent (expired ones too, until a clean-up removes them). */
  storedEntries(agentId: string): Promise<readonly { replicaId: string; expiresAt: number }[]>;
  /** Stops every replica still running, then the store. */
  close(): Promise<void>;
}

const KEY_PREFIX = 'test:tunnels';

/** Starts one replica's app with the given tracker modules (and the Redis connection, if any). */
export function composeReplica(
  id: string,
  trackerModules: readonly AnyModule[],
  options: ReplicaOptions,
): Promise<TestReplica> {
  const presence = new AgentPresence(options.agents);
  const identity: ReplicaIdentity = { id, privateAddress: `${id}.replicas.test:8155` };
  const { logger, lines } = captureLogs();
  return startTestApp({
    logger,
    modules: [...trackerModules, ...(options.modules ?? [])],
    // The real agent-grpc-server is not composed here: its registry is provided as a value instead.
    overrides: {
      ...options.overrides,
      'tunnel-tracker': { ...options.overrides?.['tunnel-tracker'], stop: {} },
    },
    provide: [
      { token: TunnelRegistryToken, useValue: presence },
      { token: ReplicaIdentityToken, useValue: identity },
    ],
  }).then((testApp) => ({
    identity,
    presence,
    testApp,
    directory: testApp.app.get(TunnelDirectoryToken),
    metrics: testApp.app.get(TunnelTrackerMetricsToken),
    logs: lines,
    stop: () => testApp.stop(),
  }));
}

/** Replicas sharing one real redis-server on a free port. */
export async function startRedisHarness(): Promise<
  DirectoryHarness & { readonly server: RedisServer; readonly observer: Redis }
> {
  const server = await startRedis();
  const observer = new Redis(server.port, server.host, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    lazyConnect: true,
  });
  // Outages are what these tests cause: the observer's reconnect errors are expected, not failures.
  observer.on('error', () => {});
  // Connected before it is handed out: without an offline queue, a command sent earlier fails at once.
  await observer.connect();
  const replicas: TestReplica[] = [];
  return {
    store: 'redis',
    server,
    observer,
    async startReplica(id, options = {}) {
      const replica = await composeReplica(
        id,
        [
          redisConnectionModule({ url: server.url, options: options.connection }),
          tunnelTrackerModule({ store: 'redis', keyPrefix: KEY_PREFIX, ...FAST_TIMINGS, ...options.timings }),
        ],
        options,
      );
      replicas.push(replica);
      return replica;
    },
    async kill(replica) {
      replica.testApp.app.get(RedisToken).disconnect();
    },
    async storedEntries(agentId) {
      const record = await observer.hgetall(agentKey(KEY_PREFIX, agentId));
      return Object.entries(record).map(([replicaId, value]) => ({
        replicaId,
        expiresAt: Number(value.split('|')[0]),
      }));
    },
    async close() {
      await Promise.all(replicas.map((replica) => replica.stop()));
      observer.disconnect();
      await server.stop();
    },
  };
}

/** Replicas sharing one `MemoryTunnelTable`. */
export async function startMemoryHarness(): Promise<
  DirectoryHarness & { readonly table: MemoryTunnelTable }
> {
  const table = new MemoryTunnelTable();
  const replicas: TestReplica[] = [];
  return {
    store: 'memory',
    table,
    async startReplica(id, options = {}) {
      const replica = await composeReplica(
        id,
        [tunnelTrackerModule({ store: 'memory', table, ...FAST_TIMINGS, ...options.timings })],
        options,
      );
      replicas.push(replica);
      return replica;
    },
    async kill(replica) {
      table.sever(replica.identity.id);
    },
    async storedEntries(agentId) {
      return table.storedEntries(agentId).map(({ replicaId, expiresAt }) => ({ replicaId, expiresAt }));
    },
    async close() {
      await Promise.all(replicas.map((replica) => replica.stop()));
    },
  };
}
