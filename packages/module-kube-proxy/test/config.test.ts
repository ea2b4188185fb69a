import { configIssuesOf } from '@kas/config';
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
      maxUpgradesPerAgent: 100,
      maxUpgradesPerUser: 20,
      upgradeIdleTimeoutMs: 4 * 3_600_000,
    });
    expect(kubeProxyModule({ ...proxy, drainBudget: '75m' }).drainBudget).toBe(4_500_000);
  });

  it.each([
    [
      { listen: '8443' },
      `kube-proxy config: listen: expected host:port, such as '0.0.0.0:8150', '127.0.0.1:0' or '[::1]:8150' (got "8443")`,
    ],
    [
      { tls: undefined },
      'kube-proxy config: tls: is missing: give tls with a certificate and key (kubectl sends bearer tokens only over HTTPS), or set plainHttp: true explicitly',
    ],
    [
      { plainHttp: true },
      'kube-proxy config: plainHttp: is set together with tls: give tls (kubectl sends tokens only over HTTPS), or plainHttp alone',
    ],
    [
      { tls: { cert: { file: '/c' }, key: {} } },
      `kube-proxy config: tls.key: expected { file: '/etc/kas/tls.crt' } or { pem: '-----BEGIN ...' }`,
    ],
    [
      { users: [{ name: 'eve', tokenSha256: 'abc', agents: [] }] },
      'kube-proxy config: users[0].tokenSha256: expected the sha256 of the token as 64 hex digits (the first field `sha256sum` prints); users[0].agents: expected at least one agent id',
    ],
    [
      { users: [{ name: 'eve', tokenSha256: 'a'.repeat(64), agents: ['agent:1'] }] },
      'kube-proxy config: users[0].agents[0]: expected an agent id: non-empty, without ":" or white space (the token carries it between colons; got "agent:1")',
    ],
    [
      { users: [...USERS, { ...USERS[0], name: 'mallory' }] },
      'kube-proxy config: users[3].tokenSha256: is also the token hash of user "alice": give each user a secret of their own',
    ],
    [
      { privateApiSecret: 'short' },
      'kube-proxy config: privateApiSecret: expected at least 16 characters: generate one with `openssl rand -base64 32` and give every replica the same value',
    ],
    [
      { drainBudget: 'forever' },
      `kube-proxy config: drainBudget: expected a duration: milliseconds, or a string such as '500ms', '10s', '75m' or '1h' (got "forever")`,
    ],
    [
      { directoryPollInterval: 0 },
      'kube-proxy config: directoryPollInterval: expected a duration longer than 0 (got 0)',
    ],
    [
      { maxUpgradesPerAgent: 0 },
      'kube-proxy config: maxUpgradesPerAgent: expected a whole number of at least 1 (got 0)',
    ],
    [
      { upgradeIdleTimeout: 'a while' },
      `kube-proxy config: upgradeIdleTimeout: expected a duration: milliseconds, or a string such as '500ms', '10s', '75m' or '1h' (got "a while")`,
    ],
    [
      { privateApiTls: { ca: {} } },
      `kube-proxy config: privateApiTls.ca: expected { file: '/etc/kas/tls.crt' } or { pem: '-----BEGIN ...' }`,
    ],
    [
      { privateApiTls: { ca: { pem: 'x' }, serverName: '' } },
      'kube-proxy config: privateApiTls.serverName: expected a non-empty string',
    ],
  ] as const)('refuses %j with a message naming the key and what it expects', (change, message) => {
    const error = failure(() => kubeProxyModule({ ...proxy, ...(change as Partial<KubeProxyConfig>) }));
    expect(error).toMatchObject({ code: 'KAS_KUBE_PROXY_CONFIG_INVALID', message });
    expect(error.fix).not.toBe('');
  });

  it('carries the key paths of what it refused, for the app to point at its config file', () => {
    const error = failure(() => kubeProxyModule({ ...proxy, plainHttp: true, tunnelWait: 'soon' as '1s' }));
    expect(configIssuesOf(error)?.map((issue) => issue.path)).toEqual([['tunnelWait']]);
    const crossed = failure(() => kubeProxyModule({ ...proxy, plainHttp: true }));
    expect(configIssuesOf(crossed)?.map((issue) => issue.path)).toEqual([['plainHttp']]);
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
    [{ replicaId: '' }, 'private-api config: replicaId: expected a non-empty string'],
    [
      { listen: '0.0.0.0:8155' },
      "private-api config: advertiseAddress: is missing while listen (0.0.0.0:8155) binds every interface: give the address other replicas dial, e.g. '10.0.3.7:8155' (the pod IP)",
    ],
    [
      { advertiseAddress: '0.0.0.0:8155' },
      "private-api config: advertiseAddress: 0.0.0.0:8155 is not an address other replicas can dial: give this replica's own address and port, e.g. '10.0.3.7:8155'",
    ],
    [
      { secret: 'x'.repeat(15) },
      'private-api config: secret: expected at least 16 characters: generate one with `openssl rand -base64 32` and give every replica the same value',
    ],
    [
      { maxTunnelWait: 'soon' },
      `private-api config: maxTunnelWait: expected a duration: milliseconds, or a string such as '500ms', '10s', '75m' or '1h' (got "soon")`,
    ],
    [
      { tls: { cert: { pem: 'x' }, key: {} } },
      `private-api config: tls.key: expected { file: '/etc/kas/tls.crt' } or { pem: '-----BEGIN ...' }`,
    ],
  ] as const)('refuses %j with a message naming the key and what it expects', (change, message) => {
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
