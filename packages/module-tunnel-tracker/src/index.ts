// Module names and the resource the tracker advertises, as typed constants for other modules' declarations.
export { AGENT_TUNNELS, TUNNEL_TRACKER } from '@kas/tunnel-protocol';
export {
  type ReplicaIdentity,
  ReplicaIdentityToken,
  type ReplicaInfo,
  type TunnelDirectory,
  TunnelDirectoryToken,
} from './directory/TunnelDirectory.js';
export { TUNNEL_TRACKER_ERROR_CODES, type TunnelTrackerErrorCode } from './errors/errorCodes.js';
export { TunnelTrackerError } from './errors/TunnelTrackerError.js';
export { type MemoryTunnelEntry, MemoryTunnelTable } from './memory/MemoryTunnelTable.js';
export { REDIS_CONNECTION } from './moduleRefs.js';
export { type RedisClient, RedisToken } from './redis/RedisClient.js';
export { type RedisHealth, RedisHealthToken, STALL_CHECK_INTERVAL_MS } from './redis/RedisStallWatch.js';
export {
  type RedisClusterConfig,
  type RedisConnectionConfig,
  type RedisServerConfig,
  redisConnectionConfigSchema,
  redisUrlSchema,
} from './redis/redisConnectionConfigSchema.js';
export { DEFAULT_COMMAND_TIMEOUT_MS, redisConnectionModule } from './redis/redisConnectionModule.js';
export { ALL_BUCKETS, agentKey, BUCKET_COUNT, bucketOf, indexKey } from './redis/tunnelKeys.js';
export type { TrackerTimings } from './tracker/TrackerTimings.js';
export {
  TRACKER_OPERATIONS,
  type TrackerOperation,
  type TunnelTrackerMetrics,
  type TunnelTrackerMetricsSource,
  TunnelTrackerMetricsToken,
  type WithdrawResult,
} from './tracker/TunnelTrackerMetrics.js';
export {
  DEFAULT_KEY_PREFIX,
  type MemoryTunnelTrackerConfig,
  type RedisTunnelTrackerConfig,
  type ResolvedTunnelTrackerConfig,
  type TrackerTimingsConfig,
  type TunnelTrackerConfig,
  tunnelTrackerConfigSchema,
} from './tracker/tunnelTrackerConfigSchema.js';
export { tunnelTrackerModule } from './tracker/tunnelTrackerModule.js';
