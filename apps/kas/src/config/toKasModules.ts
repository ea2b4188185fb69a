import { type HostPortAddress, splitHostPort, toTlsKeyPair } from '@kas/config';
import { toMilliseconds } from '@kas/core';
import { KUBE_PROXY_DEFAULTS, PRIVATE_API_DEFAULTS } from '@kas/module-kube-proxy';
import type { RedisConnectionConfig } from '@kas/module-tunnel-tracker';
import type { KasModules } from '../composition/composeKas.js';
import type { KasConfig } from './kasConfigSchema.js';
import type { KasSecrets } from './readKasSecrets.js';

/**
 * How much longer than the user-traffic drains the agent server lets busy tunnels finish, by default: the
 * kube proxy ends its requests at its budget (watches with their final chunk) while the tunnels under
 * them are still whole; cut at the same moment, a watch would end with a broken stream instead.
 */
export const BUSY_TUNNEL_MARGIN_MS = 10_000;

/** Turns the validated config and the secrets read from its files into the modules' own configs. */
export function toKasModules(
  config: KasConfig,
  secrets: KasSecrets,
): Omit<KasModules, 'provide' | 'extraModules'> {
  const { agentGrpc, tunnelTracker, kubeProxy, privateApi } = config;
  const tls = (files: { certFile: string; keyFile: string } | undefined) =>
    files === undefined ? undefined : toTlsKeyPair(files);
  const timings = {
    entryTtl: tunnelTracker.entryTtl,
    refreshPeriod: tunnelTracker.refreshPeriod,
    cleanUpPeriod: tunnelTracker.cleanUpPeriod,
    unregisterDelay: tunnelTracker.unregisterDelay,
  };
  return {
    agentGrpc: {
      listen: agentGrpc.listen,
      agents: secrets.agents,
      tls: tls(agentGrpc.tls),
      keepalive: agentGrpc.keepalive,
      maxMessageBytes: agentGrpc.maxMessageBytes,
      maxTunnelsPerAgent: agentGrpc.maxTunnelsPerAgent,
      acquireTimeout: agentGrpc.acquireTimeout,
      idleTunnelTimeout: agentGrpc.idleTunnelTimeout,
      drainBudget:
        agentGrpc.drainBudget ??
        Math.max(
          kubeProxy.drainBudget ?? toMilliseconds(KUBE_PROXY_DEFAULTS.drainBudget, 'kubeProxy.drainBudget'),
          privateApi.drainBudget ??
            toMilliseconds(PRIVATE_API_DEFAULTS.drainBudget, 'privateApi.drainBudget'),
        ) + BUSY_TUNNEL_MARGIN_MS,
    },
    tracker:
      config.redis === undefined
        ? { store: 'memory', ...timings }
        : { store: 'redis', keyPrefix: tunnelTracker.keyPrefix, ...timings },
    trackerDrainBudgetMs: tunnelTracker.drainBudget,
    redis: config.redis === undefined ? undefined : toRedisConfig(config.redis, secrets.redisPassword),
    kubeProxy: {
      listen: kubeProxy.listen,
      tls: tls(kubeProxy.tls),
      plainHttp: kubeProxy.plainHttp,
      users: secrets.users,
      privateApiSecret: secrets.privateApiSecret,
      privateApiTls:
        privateApi.tls === undefined
          ? undefined
          : { ca: { file: privateApi.tls.caFile }, serverName: privateApi.tls.serverName },
      tunnelWait: kubeProxy.tunnelWait,
      directoryPollInterval: kubeProxy.directoryPollInterval,
      listenGrace: kubeProxy.listenGrace,
      drainBudget: kubeProxy.drainBudget,
      maxUpgradesPerAgent: kubeProxy.maxUpgradesPerAgent,
      maxUpgradesPerUser: kubeProxy.maxUpgradesPerUser,
      upgradeIdleTimeout: kubeProxy.upgradeIdleTimeout,
    },
    privateApi: {
      replicaId: config.replica.id,
      listen: privateApi.listen,
      advertiseAddress: privateApi.advertiseAddress,
      secret: secrets.privateApiSecret,
      tls: tls(privateApi.tls),
      maxTunnelWait: privateApi.maxTunnelWait,
      drainBudget: privateApi.drainBudget,
    },
    observability: { listenAddress: config.observability.listen },
  };
}

function toRedisConfig(
  redis: NonNullable<KasConfig['redis']>,
  password: string | undefined,
): RedisConnectionConfig {
  const node = (address: HostPortAddress) => splitHostPort(address);
  if (redis.cluster !== undefined)
    return { cluster: redis.cluster.map(node), options: { redisOptions: { password } } };
  if (redis.sentinel !== undefined) {
    return { options: { sentinels: redis.sentinel.nodes.map(node), name: redis.sentinel.name, password } };
  }
  return { url: redis.url, options: { password } };
}
