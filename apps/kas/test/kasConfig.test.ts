import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { composeFromConfig } from '../src/composition/composeFromConfig.js';
import type { KasFiles } from '../src/config/KasFiles.js';
import { kasConfigSchema } from '../src/config/kasConfigSchema.js';
import { loadConfigFile } from '../src/config/loadConfigFile.js';
import { toAgentGrpcServerConfig } from '../src/config/sections/agentGrpcSection.js';
import { toKubeProxyConfig } from '../src/config/sections/kubeProxySection.js';
import { toPrivateApiConfig } from '../src/config/sections/privateApiSection.js';
import { toRedisConnectionConfig } from '../src/config/sections/redisSection.js';
import { toTunnelTrackerConfig } from '../src/config/sections/tunnelTrackerSection.js';
import { tunnelWaitWarning } from '../src/config/tunnelWaitWarning.js';
import { prepareDevFiles } from '../src/dev/prepareDevFiles.js';

/** The files a config names, as empty lists and one secret: these tests are about the config itself. */
const files: KasFiles = {
  readSecret: async () => 'a-secret-of-sixteen+',
  readYaml: async () => [] as never, // unchecked: an empty agents file is refused by its schema
  readTlsKeyPair: async ({ certFile, keyFile }) => ({ cert: { file: certFile }, key: { file: keyFile } }),
  readCertificates: async (path) => ({ file: path }),
};

const example = fileURLToPath(new URL('../kas.example.yaml', import.meta.url));
const load = async (env: Record<string, string> = {}) =>
  (await loadConfigFile(kasConfigSchema, { file: example, env })).config;

describe('the kas config', () => {
  it('accepts the commented example, with durations in milliseconds and defaults filled in', async () => {
    const config = await load();
    expect(config.kubeProxy).toMatchObject({
      listen: '0.0.0.0:8443',
      drainBudget: 3_600_000,
      plainHttp: false,
      listenGrace: 5_000,
    });
    expect(config.agentGrpc.drainBudget).toBeUndefined(); // derived from the drains below
    expect(config.redis).toEqual({ url: 'redis://redis.kas.svc:6379' });
    expect(config.tunnelTracker).toMatchObject({ entryTtl: 60_000, keyPrefix: 'kas:tunnels' });
    expect(config.log.level).toBe('info');
  });

  it('lets the environment override any key, e.g. the advertised address from the pod IP', async () => {
    const { config } = await loadConfigFile(kasConfigSchema, {
      file: example,
      env: {
        KAS_PRIVATE_API__ADVERTISE_ADDRESS: '10.1.2.3:8155',
        KAS_KUBE_PROXY__LISTEN_GRACE: '10s',
        KAS_CONFIG: example,
      },
      ignoredEnv: ['KAS_CONFIG'],
    });
    expect(config.privateApi.advertiseAddress).toBe('10.1.2.3:8155');
    expect(config.kubeProxy.listenGrace).toBe(10_000);
  });

  it('says where each wrong key is set, its path and what is expected', async () => {
    const error = await load({
      KAS_KUBE_PROXY__DRAIN_BUDGET: 'forever',
      KAS_AGENT_GRPC__LISTEN: '8150',
      KAS_REDIS__CLUSTER: '[a:1]',
    }).catch((caught: Error) => caught.message);
    expect(error).toContain(
      `environment KAS_KUBE_PROXY__DRAIN_BUDGET: kubeProxy.drainBudget: expected a duration: milliseconds, or a string such as '500ms', '10s', '75m' or '1h' (got "forever")`,
    );
    expect(error).toContain(
      `environment KAS_AGENT_GRPC__LISTEN: agentGrpc.listen: expected host:port, such as '0.0.0.0:8150', '127.0.0.1:0' or '[::1]:8150' (got 8150)`,
    );
    const urlLine =
      readFileSync(example, 'utf8').split('\n').indexOf('  url: redis://redis.kas.svc:6379') + 1;
    expect(error).toContain(
      `${example}:${urlLine}:3: redis: expected exactly one of url, sentinel or cluster (2 given)`,
    );
  });

  it("composes with KAS_CONFIG and the test kit's KAS_TEST_TIMEOUT_SCALE set: they are no config keys", async () => {
    const kas = await composeFromConfig({
      file: example,
      env: { KAS_CONFIG: example, KAS_TEST_TIMEOUT_SCALE: '3' },
    });
    expect(kas.composition.modules.map((module) => module.name)).toContain('kube-proxy');
  });

  it('dev mode answers a request that waits for the gone agent during a stop before the drain budget cuts it (was: tunnelWait 5s, the drain budget 5s: cut, then "connection refused" for the retry)', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'kas-dev-config-'));
    try {
      const dev = await prepareDevFiles(directory);
      const { config } = await loadConfigFile(kasConfigSchema, { file: dev.configPath, env: {} });
      const { listenGrace, tunnelWait, drainBudget } = config.kubeProxy;
      expect(listenGrace + tunnelWait).toBeLessThan(drainBudget);
      expect(tunnelWaitWarning(config.kubeProxy)).toBeUndefined();
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('warns when a request waiting for its agent during a stop would be cut at the drain budget instead of answered', async () => {
    const config = await load({
      KAS_KUBE_PROXY__LISTEN_GRACE: '1s',
      KAS_KUBE_PROXY__TUNNEL_WAIT: '5s',
      KAS_KUBE_PROXY__DRAIN_BUDGET: '5s',
    });
    expect(tunnelWaitWarning(config.kubeProxy)).toBe(
      'kubeProxy.tunnelWait (5s) after kubeProxy.listenGrace (1s) does not end before kubeProxy.drainBudget (5s): a request that comes during a stop and waits for its agent would be cut at the drain budget instead of answered 503. Make tunnelWait shorter than 4s, or raise drainBudget',
    );
    expect(tunnelWaitWarning({ ...config.kubeProxy, listenGrace: 6_000 })).toContain(
      'Make listenGrace and tunnelWait together shorter than drainBudget, or raise drainBudget',
    );
    expect(tunnelWaitWarning({ ...config.kubeProxy, tunnelWait: 3_999 })).toBeUndefined();
    expect(tunnelWaitWarning((await load()).kubeProxy)).toBeUndefined(); // the defaults: 5s + 5s, 1h
  });

  it('names the variable, not the file, for an unknown key that only a variable sets', async () => {
    const error = await load({ KAS_KUBEPROXY__LISTEN: '1.2.3.4:5' }).catch((caught: Error) => caught.message);
    expect(error).toMatch(/environment KAS_KUBEPROXY__LISTEN: kubeproxy: /);
    expect(error).not.toContain(`${example}:`);
  });

  it('lets busy tunnels outlive the user-traffic drains by default, so the proxy ends its watches first', async () => {
    const config = await load({ KAS_KUBE_PROXY__DRAIN_BUDGET: '20m', KAS_PRIVATE_API__DRAIN_BUDGET: '30m' });
    expect((await toAgentGrpcServerConfig(config.agentGrpc, { config, files })).drainBudget).toBe(
      30 * 60_000 + 10_000,
    );
    const explicit = await load({ KAS_AGENT_GRPC__DRAIN_BUDGET: '2h' });
    expect((await toAgentGrpcServerConfig(explicit.agentGrpc, { config: explicit, files })).drainBudget).toBe(
      7_200_000,
    );
  });

  it('gives privateApi.tls to both ends: the private API serves it, the kube proxy trusts its CA', async () => {
    const config = await load({
      KAS_PRIVATE_API__TLS__CERT_FILE: '/tls/tls.crt',
      KAS_PRIVATE_API__TLS__KEY_FILE: '/tls/tls.key',
      KAS_PRIVATE_API__TLS__CA_FILE: '/tls/ca.crt',
      KAS_PRIVATE_API__TLS__SERVER_NAME: 'kas-private.kas.svc',
    });
    expect((await toPrivateApiConfig(config.privateApi, { config, files })).tls).toEqual({
      cert: { file: '/tls/tls.crt' },
      key: { file: '/tls/tls.key' },
    });
    expect((await toKubeProxyConfig(config.kubeProxy, { config, files })).privateApiTls).toEqual({
      ca: { file: '/tls/ca.crt' },
      serverName: 'kas-private.kas.svc',
    });
    const plain = await load();
    expect(
      (await toKubeProxyConfig(plain.kubeProxy, { config: plain, files })).privateApiTls,
    ).toBeUndefined();
  });

  it('passes the idle-tunnel timeout on, 0 included (no trimming)', async () => {
    const config = await load({ KAS_AGENT_GRPC__IDLE_TUNNEL_TIMEOUT: '0' });
    expect((await toAgentGrpcServerConfig(config.agentGrpc, { config, files })).idleTunnelTimeout).toBe(0);
    const unset = await load();
    expect((await toAgentGrpcServerConfig(unset.agentGrpc, { config: unset, files })).idleTunnelTimeout).toBe(
      60_000,
    );
  });

  it('keeps the directory in Redis when redis: is set, and in this process when it is not', async () => {
    const config = await load({ KAS_TUNNEL_TRACKER__KEY_PREFIX: 'kas-staging:tunnels' });
    expect(toTunnelTrackerConfig(config.tunnelTracker, { config })).toMatchObject({
      store: 'redis',
      keyPrefix: 'kas-staging:tunnels',
    });
    const single = { ...config, redis: undefined };
    expect(toTunnelTrackerConfig(config.tunnelTracker, { config: single })).toEqual({
      store: 'memory',
      entryTtl: 60_000,
      refreshPeriod: 20_000,
      cleanUpPeriod: 60_000,
      entryCheckPeriod: 2_000,
      unregisterDelay: 5_000,
      drainBudget: 5_000,
    });
  });

  it("gives ioredis a Sentinel or a Cluster as host and port pairs, with the servers' and the sentinels' passwords from their files", async () => {
    const sentinel = await load({
      KAS_REDIS__URL: '',
      KAS_REDIS__SENTINEL: '{ name: mymaster, nodes: ["sentinel-0:26379", "[::1]:26380"] }',
      KAS_REDIS__PASSWORD_FILE: '/etc/kas/redis-password',
    }).catch((error: Error) => error.message);
    expect(sentinel).toContain('redis.url: expected a URL'); // an empty value is a value: unset it instead
    const { redis } = await loadConfigFile(kasConfigSchema, {
      env: {
        KAS_AGENT_GRPC__AGENTS_FILE: 'a.yaml',
        KAS_KUBE_PROXY__USERS_FILE: 'u.yaml',
        KAS_KUBE_PROXY__PLAIN_HTTP: 'true',
        KAS_PRIVATE_API__SHARED_SECRET_FILE: 's',
        KAS_REDIS__SENTINEL: '{ name: mymaster, nodes: ["sentinel-0:26379", "[::1]:26380"] }',
        KAS_REDIS__PASSWORD_FILE: '/etc/kas/redis-password',
        KAS_REDIS__SENTINEL__PASSWORD_FILE: '/etc/kas/sentinel-password',
      },
    }).then(({ config }) => config);
    const secretOf: KasFiles = { ...files, readSecret: async (path, key) => `${key.join('.')} from ${path}` };
    expect(await toRedisConnectionConfig(redis as NonNullable<typeof redis>, { files: secretOf })).toEqual({
      options: {
        sentinels: [
          { host: 'sentinel-0', port: 26379 },
          { host: '::1', port: 26380 },
        ],
        name: 'mymaster',
        password: 'redis.passwordFile from /etc/kas/redis-password',
        sentinelPassword: 'redis.sentinel.passwordFile from /etc/kas/sentinel-password',
      },
    });
  });
});
