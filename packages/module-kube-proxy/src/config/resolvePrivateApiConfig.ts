import { KubeProxyError } from '../errors/KubeProxyError.js';
import {
  type ConfigFailure,
  checkNonEmpty,
  checkPemSource,
  checkPrivateApiSecret,
  durationMs,
  parseHostPort,
} from './configChecks.js';
import {
  PRIVATE_API_DEFAULTS,
  type PrivateApiConfig,
  type ResolvedPrivateApiConfig,
} from './PrivateApiConfig.js';

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);

/** Checks the configuration and fills in defaults; throws `KAS_PRIVATE_API_CONFIG_INVALID` naming the bad key. */
export function resolvePrivateApiConfig(config: PrivateApiConfig): ResolvedPrivateApiConfig {
  const fail: ConfigFailure = (key, problem, fix, cause) => {
    throw new KubeProxyError('KAS_PRIVATE_API_CONFIG_INVALID', `private-api config: ${key} ${problem}`, fix, {
      cause,
    });
  };
  const replicaId = checkNonEmpty(
    config.replicaId,
    'replicaId',
    "give each replica its own id, e.g. the pod name: replicaId: 'kas-0'",
    fail,
  );
  const { host, port } = parseHostPort(config.listen, 'listen', fail);
  if (config.advertiseAddress !== undefined) {
    const advertised = parseHostPort(config.advertiseAddress, 'advertiseAddress', fail);
    if (WILDCARD_HOSTS.has(advertised.host) || advertised.port === 0) {
      fail(
        'advertiseAddress',
        `${config.advertiseAddress} is not an address other replicas can dial`,
        "give this replica's own address and port, e.g. advertiseAddress: '10.0.3.7:8155'",
      );
    }
  } else if (WILDCARD_HOSTS.has(host)) {
    fail(
      'advertiseAddress',
      `is missing while listen (${config.listen}) binds every interface`,
      "give the address other replicas dial, e.g. advertiseAddress: '10.0.3.7:8155' (the pod IP)",
    );
  }
  checkPrivateApiSecret(config.secret, 'secret', fail);
  if (config.tls !== undefined) {
    checkPemSource(config.tls.cert, 'tls.cert', fail);
    checkPemSource(config.tls.key, 'tls.key', fail);
  }
  return {
    replicaId,
    host,
    port,
    advertiseAddress: config.advertiseAddress,
    secret: config.secret,
    tls: config.tls,
    maxTunnelWaitMs: durationMs(
      config.maxTunnelWait,
      PRIVATE_API_DEFAULTS.maxTunnelWait,
      'maxTunnelWait',
      fail,
    ),
    drainBudgetMs: durationMs(config.drainBudget, PRIVATE_API_DEFAULTS.drainBudget, 'drainBudget', fail),
  };
}
