import { defineModule, type LifecycleContext } from '@kas/core';
import { TunnelRegistryToken } from '@kas/tunnel-protocol';
import type { Logger } from 'pino';
import { StoreTunnelDirectory } from '../directory/StoreTunnelDirectory.js';
import {
  ReplicaIdentityToken,
  type TunnelDirectory,
  TunnelDirectoryToken,
} from '../directory/TunnelDirectory.js';
import { TunnelTrackerError } from '../errors/TunnelTrackerError.js';
import { MemoryTunnelStore } from '../memory/MemoryTunnelStore.js';
import { MemoryTunnelTable } from '../memory/MemoryTunnelTable.js';
import { RedisToken } from '../redis/RedisClient.js';
import { RedisTunnelStore } from '../redis/RedisTunnelStore.js';
import { resolveTrackerTimings, type TrackerTimingsConfig } from './TrackerTimings.js';
import { TunnelTracker } from './TunnelTracker.js';
import { TrackerCounters, TunnelTrackerMetricsToken } from './TunnelTrackerMetrics.js';

/** The default Redis key prefix. */
export const DEFAULT_KEY_PREFIX = 'kas:tunnels';

/** The tracker backed by Redis, shared by every replica: needs `redis-connection`. */
export interface RedisTunnelTrackerConfig extends TrackerTimingsConfig {
  readonly store: 'redis';
  /** Prefix of every key, so several kas deployments can share one Redis. Default `kas:tunnels`. */
  readonly keyPrefix?: string;
}

/** The tracker backed by a table in this process: a single replica, no Redis. */
export interface MemoryTunnelTrackerConfig extends TrackerTimingsConfig {
  readonly store: 'memory';
  /** The table; replicas in one process may share one. Default: a table of this module's own. */
  readonly table?: MemoryTunnelTable;
}

/** Configuration of `tunnelTrackerModule`. */
export type TunnelTrackerConfig = RedisTunnelTrackerConfig | MemoryTunnelTrackerConfig;

const declaration = {
  name: 'tunnel-tracker',
  stop: { with: ['agent-grpc-server'] }, // withdraw the advertisement at the moment agents get GOAWAY
  drainBudget: '5s', // a withdraw takes milliseconds; this bounds a slow or stalled Redis
  advertises: ['agent-tunnels'],
  provides: { directory: TunnelDirectoryToken, metrics: TunnelTrackerMetricsToken },
} as const;

/**
 * The `tunnel-tracker` module: advertises this replica's agents in the shared tunnel directory and
 * provides the directory (`TunnelDirectoryToken`) and its metrics (`TunnelTrackerMetricsToken`). Needs
 * the agent gRPC server's registry, this replica's identity and, for `store: 'redis'`, the Redis
 * connection. Throws `KAS_TUNNEL_TRACKER_CONFIG_INVALID` at once when the configuration is malformed.
 */
export function tunnelTrackerModule(config: TunnelTrackerConfig = { store: 'memory' }) {
  const timings = resolveTrackerTimings(config);
  const instance = (tracker: TunnelTracker, directory: TunnelDirectory) => ({
    provides: { directory, metrics: tracker },
    start: (ctx: LifecycleContext) => tracker.start(ctx),
    stop: (ctx: LifecycleContext) => tracker.stop(ctx),
  });
  if (config.store === 'redis') {
    const keyPrefix = checkKeyPrefix(config.keyPrefix ?? DEFAULT_KEY_PREFIX);
    return defineModule({
      ...declaration,
      needs: { registry: TunnelRegistryToken, replica: ReplicaIdentityToken, redis: RedisToken },
      create: ({ registry, replica, redis, log }) => {
        const counters = new TrackerCounters();
        const store = new RedisTunnelStore(redis, keyPrefix, counters);
        return instance(
          new TunnelTracker(store, registry, replica, timings, counters, log as Logger),
          new StoreTunnelDirectory(store, replica, counters),
        );
      },
    });
  }
  if (config.store !== 'memory') {
    throw new TunnelTrackerError(
      'KAS_TUNNEL_TRACKER_CONFIG_INVALID',
      `tunnel-tracker: store ${JSON.stringify((config as { store: unknown }).store)} is not 'redis' or 'memory'`,
      "set store: 'redis' for replicas sharing Redis, or store: 'memory' for a single replica",
    );
  }
  const table = config.table ?? new MemoryTunnelTable();
  return defineModule({
    ...declaration,
    needs: { registry: TunnelRegistryToken, replica: ReplicaIdentityToken },
    create: ({ registry, replica, log }) => {
      const counters = new TrackerCounters();
      const store = new MemoryTunnelStore(table, () => replica.id, counters);
      return instance(
        new TunnelTracker(store, registry, replica, timings, counters, log as Logger),
        new StoreTunnelDirectory(store, replica, counters),
      );
    },
  });
}

function checkKeyPrefix(prefix: string): string {
  if (prefix === '' || /[{}]/.test(prefix)) {
    throw new TunnelTrackerError(
      'KAS_TUNNEL_TRACKER_CONFIG_INVALID',
      `tunnel-tracker: keyPrefix ${JSON.stringify(prefix)} must be non-empty and free of "{" and "}"`,
      "use a prefix such as 'kas:tunnels' or 'kas-staging:tunnels'; braces would change the Cluster hash tags",
    );
  }
  return prefix;
}
