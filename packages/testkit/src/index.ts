export { type EventuallyOptions, eventually } from './eventually.js';
export { freePort } from './freePort.js';
export { type Answer, type OpenStream, openStream, type SendOptions, send } from './httpClient.js';
export {
  type KubectlOptions,
  type KubectlResult,
  kubectl,
  shellOutputLine,
  spawnKubectl,
} from './kubectl.js';
export { type Http2Windows, readHttp2Windows } from './readHttp2Windows.js';
export { signalUntilExit } from './signalUntilExit.js';
export {
  type ProcessExit,
  type ProcessLine,
  type RunningProcess,
  type StartProcessOptions,
  startProcess,
} from './startProcess.js';
export { type RedisServer, type StartRedisOptions, startRedis } from './startRedis.js';
export { type RedisCluster, type StartRedisClusterOptions, startRedisCluster } from './startRedisCluster.js';
export {
  type RedisSentinel,
  type SentinelServer,
  type StartRedisSentinelOptions,
  startRedisSentinel,
} from './startRedisSentinel.js';
export { readTimeoutScale, scaledMs, TIMEOUT_SCALE } from './timeoutScale.js';
