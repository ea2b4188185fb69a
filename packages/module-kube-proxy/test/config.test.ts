import { describe, expect, it } from 'vitest';
import { resolveKubeProxyConfig } from '../src/config/resolveKubeProxyConfig.js';
import { resolvePrivateApiConfig } from '../src/config/resolvePrivateApiConfig.js';
import {
  type KubeProxyConfig,
  kubeProxyModule,
  type PrivateApiConfig,
  privateApiModule,
} from '../src/index.js';
import { PRIVATE_API_SECRET, USERS } from './support/identities.js';

const proxy: KubeProxyConfig = {
  listen: '0.0.0.0:8443',
  tls: { cert: { file: '/etc/kas/tls.crt' }, key: { file: '/etc/kas/tls.key' } },
  users: USERS,
  privateApiSecret: PRIVATE_API_SECRET,
};
const privateApi: PrivateApiConfig = {
  replicaId: 'kas-0',
  listen: '127.0.0.1:8155',
  secret: PRIVATE_API_SECRET,
};

const failure = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error as { code: string; message: string; fix: string };
  }
  throw new Error('expected the configuration to be refused');
};

describe('kube-proxy configuration', () => {
  it('fills in the defaults', () => {
    expect(resolveKubeProxyConfig(proxy)).toMatchObject({
      host: '0.0.0.0',
      port: 8443,
      tunnelWaitMs: 5_000,
      directoryPollIntervalMs: 250,
      listenGraceMs: 5_000,
      drainBudgetMs: 3_600_000,
    });
    expect(kubeProxyModule({ ...proxy, drainBudget: '75m' }).drainBudget).toBe(4_500_000);
  });

  it.each([
    [{ listen: '8443' }, 'kube-proxy config: listen "8443" is not host:port'],
    [{ tls: undefined }, 'kube-proxy config: tls is missing'],
    [{ plainHttp: true }, 'kube-proxy config: plainHttp is set together with tls'],
    [
      { tls: { cert: { file: '/c' }, key: {} } },
      'kube-proxy config: tls.key is neither { pem } nor { file }',
    ],
    [
      { users: [{ name: 'eve', tokenSha256: 'abc', agents: [] }] },
      'kube-proxy config: users[0].tokenSha256 is not 64 hex digits',
    ],
    [
      { users: [{ name: 'eve', tokenSha256: 'a'.repeat(64), agents: ['agent:1'] }] },
      'kube-proxy config: users[0].agents[0] "agent:1" is not an agent id',
    ],
    [
      { users: [...USERS, { ...USERS[0], name: 'mallory' }] },
      'kube-proxy config: users[2].tokenSha256 is also the token hash of user "alice"',
    ],
    [
      { privateApiSecret: 'short' },
      'kube-proxy config: privateApiSecret is not a string of at least 16 characters',
    ],
    [{ drainBudget: 'forever' }, 'kube-proxy config: drainBudget "forever" is not a duration'],
    [{ directoryPollInterval: 0 }, 'kube-proxy config: directoryPollInterval is 0'],
    [{ privateApiTls: { ca: {} } }, 'kube-proxy config: privateApiTls.ca is neither { pem } nor { file }'],
    [
      { privateApiTls: { ca: { pem: 'x' }, serverName: '' } },
      'kube-proxy config: privateApiTls.serverName is empty',
    ],
  ] as const)('refuses %j with a message naming the key', (change, message) => {
    const error = failure(() => kubeProxyModule({ ...proxy, ...(change as Partial<KubeProxyConfig>) }));
    expect(error).toMatchObject({ code: 'KAS_KUBE_PROXY_CONFIG_INVALID', message });
    expect(error.fix).not.toBe('');
  });

  it('serves plain HTTP only when asked explicitly', () => {
    expect(resolveKubeProxyConfig({ ...proxy, tls: undefined, plainHttp: true }).tls).toBeUndefined();
  });
});

describe('private-api configuration', () => {
  it('fills in the defaults', () => {
    expect(resolvePrivateApiConfig(privateApi)).toMatchObject({
      replicaId: 'kas-0',
      host: '127.0.0.1',
      port: 8155,
      advertiseAddress: undefined,
      maxTunnelWaitMs: 10_000,
      drainBudgetMs: 3_600_000,
    });
  });

  it.each([
    [{ replicaId: '' }, 'private-api config: replicaId is not a non-empty string'],
    [
      { listen: '0.0.0.0:8155' },
      'private-api config: advertiseAddress is missing while listen (0.0.0.0:8155) binds every interface',
    ],
    [
      { advertiseAddress: '0.0.0.0:8155' },
      'private-api config: advertiseAddress 0.0.0.0:8155 is not an address other replicas can dial',
    ],
    [{ secret: 'x'.repeat(15) }, 'private-api config: secret is not a string of at least 16 characters'],
    [{ maxTunnelWait: 'soon' }, 'private-api config: maxTunnelWait "soon" is not a duration'],
    [{ tls: { cert: { pem: 'x' }, key: {} } }, 'private-api config: tls.key is neither { pem } nor { file }'],
  ] as const)('refuses %j with a message naming the key', (change, message) => {
    const error = failure(() =>
      privateApiModule({ ...privateApi, ...(change as Partial<PrivateApiConfig>) }),
    );
    expect(error).toMatchObject({ code: 'KAS_PRIVATE_API_CONFIG_INVALID', message });
  });

  it('never puts the secret in an error message', () => {
    const secret = 'a-secret-that-is-long-enough-but-listen-is-bad';
    const error = failure(() => privateApiModule({ ...privateApi, secret, listen: 'nowhere' }));
    expect(JSON.stringify({ ...error, message: error.message })).not.toContain(secret);
  });
});
