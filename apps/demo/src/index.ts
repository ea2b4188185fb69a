export { type AgentEvent, AgentkFleet } from './cluster/AgentkFleet.js';
export {
  KasReplica,
  type KasReplicaOptions,
  type ReplicaState,
  type StopOrder,
  type Termination,
} from './cluster/KasReplica.js';
export {
  type LoadBalancer,
  type LoadBalancerBackend,
  type LoadBalancerOptions,
  type LoadBalancerStats,
  startLoadBalancer,
} from './cluster/LoadBalancer.js';
export { type ProgramPaths, programPaths } from './cluster/programPaths.js';
export {
  type LocalCluster,
  type LocalClusterOptions,
  startLocalCluster,
} from './cluster/startLocalCluster.js';
export { type DirectorySnapshot, TunnelDirectoryReader } from './cluster/TunnelDirectoryReader.js';
export { wallNow } from './cluster/wallClock.js';
export type { ReplicaBudgets, ReplicaPorts } from './cluster/writeClusterFiles.js';
export { DemoError } from './errors/DemoError.js';
export { DEMO_ERROR_CODES, type DemoErrorCode } from './errors/errorCodes.js';
export { type KubeTarget, kubeConfigFor } from './load/kubeConfigFor.js';
export {
  LoadGenerator,
  type LoadGeneratorOptions,
  type LoadStats,
  type RequestRecord,
} from './load/LoadGenerator.js';
export { startWatch, type WatchHandle, type WatchRecord } from './load/startWatch.js';
export { ReplicaShutdown } from './shutdown/ReplicaShutdown.js';
export { restartReplica } from './shutdown/restartReplica.js';
export {
  type AgentMove,
  type ShutdownNumbers,
  type ShutdownReport,
  shutdownNumbers,
} from './shutdown/ShutdownReport.js';
export { LiveViewServer } from './web/LiveViewServer.js';
