import { type Milliseconds, parseConfig, splitHostPort } from '@kas/config';
import type { PemSource } from '@kas/tunnel-protocol';
import { KubeProxyError } from '../errors/KubeProxyError.js';
import { type KubeProxyConfig, kubeProxyConfigSchema } from './kubeProxyConfigSchema.js';
import type { KubeProxyUser } from './kubeProxyUsersSchema.js';

/** The configuration as the kube proxy's parts use it: defaults filled in, durations in milliseconds. */
export interface ResolvedKubeProxyConfig {
  readonly host: string;
  readonly port: number;
  readonly tls: { readonly cert: PemSource; readonly key: PemSource } | undefined;
  readonly users: readonly KubeProxyUser[];
  readonly privateApiSecret: string;
  readonly privateApiTls: { readonly ca: PemSource; readonly serverName?: string } | undefined;
  readonly privateApiConnectTimeoutMs: Milliseconds;
  readonly tunnelWaitMs: Milliseconds;
  readonly directoryPollIntervalMs: Milliseconds;
  readonly listenGraceMs: Milliseconds;
  readonly drainBudgetMs: Milliseconds;
  readonly maxUpgradesPerAgent: number;
  readonly maxUpgradesPerUser: number;
  readonly maxLongRunningPerUser: number;
  readonly upgradeIdleTimeoutMs: Milliseconds;
  readonly responseHeaderTimeoutMs: Milliseconds;
  readonly headersTimeoutMs: Milliseconds;
  readonly requestTimeoutMs: Milliseconds;
  readonly keepAliveTimeoutMs: Milliseconds;
  readonly handshakeTimeoutMs: Milliseconds;
}

/** Parses `config` with `kubeProxyConfigSchema`; throws `KAS_KUBE_PROXY_CONFIG_INVALID` naming each bad key. */
export function resolveKubeProxyConfig(config: KubeProxyConfig): ResolvedKubeProxyConfig {
  const parsed = parseConfig(
    kubeProxyConfigSchema,
    config,
    (problems, cause) =>
      new KubeProxyError(
        'KAS_KUBE_PROXY_CONFIG_INVALID',
        `kube-proxy config: ${problems}`,
        'correct each key named (see the Configuration section of the @kas/module-kube-proxy README)',
        { cause },
      ),
  );
  return {
    ...splitHostPort(parsed.listen),
    tls: parsed.tls,
    users: parsed.users,
    privateApiSecret: parsed.privateApiSecret,
    privateApiTls: parsed.privateApiTls,
    privateApiConnectTimeoutMs: parsed.privateApiConnectTimeout,
    tunnelWaitMs: parsed.tunnelWait,
    directoryPollIntervalMs: parsed.directoryPollInterval,
    listenGraceMs: parsed.listenGrace,
    drainBudgetMs: parsed.drainBudget,
    maxUpgradesPerAgent: parsed.maxUpgradesPerAgent,
    maxUpgradesPerUser: parsed.maxUpgradesPerUser,
    maxLongRunningPerUser: parsed.maxLongRunningPerUser,
    upgradeIdleTimeoutMs: parsed.upgradeIdleTimeout,
    responseHeaderTimeoutMs: parsed.responseHeaderTimeout,
    headersTimeoutMs: parsed.headersTimeout,
    requestTimeoutMs: parsed.requestTimeout,
    keepAliveTimeoutMs: parsed.keepAliveTimeout,
    handshakeTimeoutMs: parsed.handshakeTimeout,
  };
}
