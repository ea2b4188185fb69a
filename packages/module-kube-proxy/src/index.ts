export { USER_TOKEN_KIND, userToken } from './auth/UserAuthenticator.js';
export { MIN_PRIVATE_API_SECRET_LENGTH } from './config/configChecks.js';
export { KUBE_PROXY_DEFAULTS, type KubeProxyConfig, type KubeProxyUser } from './config/KubeProxyConfig.js';
export { PRIVATE_API_DEFAULTS, type PrivateApiConfig } from './config/PrivateApiConfig.js';
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
export type { InboundEnding } from './privateApi/InboundExchange.js';
export type { PrivateApiInfo } from './privateApi/PrivateApiServer.js';
export { PrivateApiToken, privateApiModule } from './privateApi/privateApiModule.js';
export type { RouteKind } from './routing/TunnelRouter.js';
