import { parseConfig } from '@kas/config';
import { defineModule, type LifecycleContext } from '@kas/core';
import { AGENT_GRPC_SERVER, AGENT_TUNNELS, TUNNEL_TRACKER, TunnelRegistryToken } from '@kas/tunnel-protocol';
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
import { toTrackerTimings } from './TrackerTimings.js';
import { TunnelTracker } from './TunnelTracker.js';
import { TrackerCounters, TunnelTrackerMetricsToken } from './TunnelTrackerMetrics.js';
import { type TunnelTrackerConfig, tunnelTrackerConfigSchema } from './tunnelTrackerConfigSchema.js';

const declaration = {
  name: TUNNEL_TRACKER,
  stop: { with: [AGENT_GRPC_SERVER] }, // withdraw the advertisement at the moment agents get GOAWAY
  advertises: [AGENT_TUNNELS],
  provides: { directory: TunnelDirectoryToken, metrics: TunnelTrackerMetricsToken },
} as const;

/**
 * The `tunnel-tracker` module: advertises this replica's agents in the shared tunnel directory and
 * provides the directory (`TunnelDirectoryToken`) and its metrics (`TunnelTrackerMetricsToken`). Needs
 * the agent gRPC server's registry, this replica's identity and, for `store: 'redis'`, the Redis
 * connection. Parses `input` with `tunnelTrackerConfigSchema` at once, filling in defaults; throws
 * `KAS_TUNNEL_TRACKER_CONFIG_INVALID` naming each bad key and what it expects.
 */
export function tunnelTrackerModule(input: TunnelTrackerConfig = { store: 'memory' }) {
  const config = parseConfig(
    tunnelTrackerConfigSchema,
    input,
    (problems, cause) =>
      new TunnelTrackerError(
        'KAS_TUNNEL_TRACKER_CONFIG_INVALID',
        `tunnel-tracker config: ${problems}`,
        'correct each key named (see the Configuration section of the @kas/module-tunnel-tracker README)',
        { cause },
      ),
  );
  const timings = toTrackerTimings(config);
  const instance = (tracker: TunnelTracker, directory: TunnelDirectory) => ({
    provides: { directory, metrics: tracker },
    start: (ctx: LifecycleContext) => tracker.start(ctx),
    stop: (ctx: LifecycleContext) => tracker.stop(ctx),
  });
  if (config.store === 'redis') {
    const { keyPrefix } = config;
    return defineModule({
      ...declaration,
      drainBudget: config.drainBudget, // a withdraw takes milliseconds; this bounds a slow or stalled Redis
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
  const table = config.table ?? new MemoryTunnelTable();
  return defineModule({
    ...declaration,
    drainBudget: config.drainBudget,
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
