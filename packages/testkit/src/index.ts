export { freePort } from './freePort.js';
export {
  type ProcessExit,
  type ProcessLine,
  type RunningProcess,
  type StartProcessOptions,
  startProcess,
} from './startProcess.js';
export { type RedisServer, type StartRedisOptions, startRedis } from './startRedis.js';
export { type RedisCluster, type StartRedisClusterOptions, startRedisCluster } from './startRedisCluster.js';
