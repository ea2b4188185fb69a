export { USER_TOKEN_KIND, userToken } from './auth/UserAuthenticator.js';
export { type KubeProxyConfig, kubeProxyConfigSchema } from './config/kubeProxyConfigSchema.js';
export {
  type KubeProxyUser,
  kubeProxyUserSchema,
  kubeProxyUsersSchema,
} from './config/kubeProxyUsersSchema.js';
export { type PrivateApiConfig, privateApiConfigSchema } from './config/privateApiConfigSchema.js';
export { MIN_PRIVATE_API_SECRET_LENGTH, privateApiSecretSchema } from './config/privateApiSecretSchema.js';
export { KUBE_PROXY_ERROR_CODES, type KubeProxyErrorCode } from './errors/errorCodes.js';
export { KubeProxyError } from './errors/KubeProxyError.js';
export type { KubeProxyInfo, KubeProxyState } from './http/KubeProxyServer.js';
export { KubeProxyMetricsToken, KubeProxyToken, kubeProxyModule } from './kubeProxyModule.js';
export type {
  FinishedRequest,
  KubeProxyMetrics,
  KubeProxyMetricsSnapshot,
  RequestOutcome,
} from './metrics/KubeProxyMetrics.js';
export { KUBE_PROXY, PRIVATE_API } from './moduleRefs.js';
export type { InboundEnding } from './privateApi/InboundExchange.js';
export type { PrivateApiInfo } from './privateApi/PrivateApiServer.js';
export { PrivateApiToken, privateApiModule } from './privateApi/privateApiModule.js';
export type { RouteKind } from './routing/TunnelRouter.js';
