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
  KUBE_PROXY_DEFAULTS,
  type KubeProxyConfig,
  type ResolvedKubeProxyConfig,
} from './KubeProxyConfig.js';

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;
const AGENT_ID = /^[^\s:]+$/;

/** Checks the configuration and fills in defaults; throws `KAS_KUBE_PROXY_CONFIG_INVALID` naming the bad key. */
export function resolveKubeProxyConfig(config: KubeProxyConfig): ResolvedKubeProxyConfig {
  const fail: ConfigFailure = (key, problem, fix, cause) => {
    throw new KubeProxyError('KAS_KUBE_PROXY_CONFIG_INVALID', `kube-proxy config: ${key} ${problem}`, fix, {
      cause,
    });
  };
  const { host, port } = parseHostPort(config.listen, 'listen', fail);
  if (config.tls !== undefined && config.plainHttp === true) {
    fail(
      'plainHttp',
      'is set together with tls',
      'give tls (kubectl sends tokens only over HTTPS), or plainHttp alone',
    );
  }
  if (config.tls === undefined && config.plainHttp !== true) {
    fail(
      'tls',
      'is missing',
      'give tls: { cert, key } (kubectl sends bearer tokens only over HTTPS), or set plainHttp: true explicitly',
    );
  }
  if (config.tls !== undefined) {
    checkPemSource(config.tls.cert, 'tls.cert', fail);
    checkPemSource(config.tls.key, 'tls.key', fail);
  }
  checkUsers(config.users, fail);
  checkPrivateApiSecret(config.privateApiSecret, 'privateApiSecret', fail);
  if (config.privateApiTls !== undefined) {
    checkPemSource(config.privateApiTls.ca, 'privateApiTls.ca', fail);
    const serverName = config.privateApiTls.serverName;
    if (serverName !== undefined && (typeof serverName !== 'string' || serverName === '')) {
      fail(
        'privateApiTls.serverName',
        'is empty',
        "give the name the replicas' certificates carry, or leave it out",
      );
    }
  }
  const tunnelWaitMs = durationMs(config.tunnelWait, KUBE_PROXY_DEFAULTS.tunnelWait, 'tunnelWait', fail);
  const directoryPollIntervalMs = durationMs(
    config.directoryPollInterval,
    KUBE_PROXY_DEFAULTS.directoryPollInterval,
    'directoryPollInterval',
    fail,
  );
  if (directoryPollIntervalMs <= 0)
    fail('directoryPollInterval', 'is 0', "give a positive duration such as '250ms'");
  return {
    host,
    port,
    tls: config.tls,
    users: config.users,
    privateApiSecret: config.privateApiSecret,
    privateApiTls: config.privateApiTls,
    tunnelWaitMs,
    directoryPollIntervalMs,
    listenGraceMs: durationMs(config.listenGrace, KUBE_PROXY_DEFAULTS.listenGrace, 'listenGrace', fail),
    drainBudgetMs: durationMs(config.drainBudget, KUBE_PROXY_DEFAULTS.drainBudget, 'drainBudget', fail),
    maxUpgradesPerAgent: positiveCount(config.maxUpgradesPerAgent, 'maxUpgradesPerAgent', fail),
    maxUpgradesPerUser: positiveCount(config.maxUpgradesPerUser, 'maxUpgradesPerUser', fail),
    upgradeIdleTimeoutMs: durationMs(
      config.upgradeIdleTimeout,
      KUBE_PROXY_DEFAULTS.upgradeIdleTimeout,
      'upgradeIdleTimeout',
      fail,
    ),
  };
}

function positiveCount(
  value: number | undefined,
  key: 'maxUpgradesPerAgent' | 'maxUpgradesPerUser',
  fail: ConfigFailure,
): number {
  if (value === undefined) return KUBE_PROXY_DEFAULTS[key];
  if (!Number.isInteger(value) || value < 1) {
    fail(
      key,
      `is ${JSON.stringify(value)}, not a whole number of at least 1`,
      `give a count such as ${KUBE_PROXY_DEFAULTS[key]}`,
    );
  }
  return value;
}

function checkUsers(users: KubeProxyConfig['users'], fail: ConfigFailure): void {
  if (!Array.isArray(users)) {
    fail('users', 'is not a list', "write users: [{ name: 'alice', tokenSha256: '…', agents: ['agent-1'] }]");
  }
  const nameBySha256 = new Map<string, string>();
  users.forEach((user, index) => {
    const key = `users[${index}]`;
    checkNonEmpty(user?.name, `${key}.name`, "give each user a name such as 'alice'", fail);
    if (typeof user.tokenSha256 !== 'string' || !SHA256_HEX.test(user.tokenSha256)) {
      fail(
        `${key}.tokenSha256`,
        'is not 64 hex digits',
        'give the sha256 of the secret part of the token: printf %s "$secret" | sha256sum',
      );
    }
    const other = nameBySha256.get(user.tokenSha256.toLowerCase());
    if (other !== undefined) {
      fail(
        `${key}.tokenSha256`,
        `is also the token hash of user "${other}"`,
        'give each user a secret of their own',
      );
    }
    nameBySha256.set(user.tokenSha256.toLowerCase(), user.name);
    if (!Array.isArray(user.agents)) fail(`${key}.agents`, 'is not a list', "write agents: ['agent-1']");
    user.agents.forEach((agentId: unknown, agentIndex: number) => {
      if (typeof agentId !== 'string' || !AGENT_ID.test(agentId)) {
        fail(
          `${key}.agents[${agentIndex}]`,
          `${JSON.stringify(agentId)} is not an agent id`,
          'agent ids are non-empty and contain no ":" or white space (the token carries them between colons)',
        );
      }
    });
  });
}
