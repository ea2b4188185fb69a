import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { kasConfigSchema } from '../src/config/kasConfigSchema.js';
import { loadConfigFile } from '../src/config/loadConfigFile.js';
import { toKasModules } from '../src/config/toKasModules.js';

const secrets = { agents: [], users: [], privateApiSecret: 'a-secret-of-sixteen+', redisPassword: undefined };

const example = fileURLToPath(new URL('../kas.example.yaml', import.meta.url));

describe('the kas config', () => {
  it('accepts the commented example, with durations in milliseconds and defaults filled in', async () => {
    const config = await loadConfigFile(kasConfigSchema, { file: example, env: {} });
    expect(config.kubeProxy).toMatchObject({
      listen: '0.0.0.0:8443',
      drainBudget: 3_600_000,
      plainHttp: false,
    });
    expect(config.agentGrpc.drainBudget).toBeUndefined(); // derived from the drains below: see toKasModules
    expect(config.redis).toEqual({ url: 'redis://redis.kas.svc:6379' });
    expect(config.log.level).toBe('info');
  });

  it('lets the environment override any key, e.g. the advertised address from the pod IP', async () => {
    const config = await loadConfigFile(kasConfigSchema, {
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

  it('says which key is wrong and what is expected', async () => {
    const error = await loadConfigFile(kasConfigSchema, {
      file: example,
      env: {
        KAS_KUBE_PROXY__DRAIN_BUDGET: 'forever',
        KAS_AGENT_GRPC__LISTEN: '8150',
        KAS_REDIS__CLUSTER: '[a:1]',
      },
    }).catch((caught: Error) => caught.message);
    expect(error).toContain(
      "environment KAS_KUBE_PROXY__DRAIN_BUDGET: kubeProxy.drainBudget: expected a duration: milliseconds, or a string such as '500ms', '10s', '75m' or '1h'",
    );
    expect(error).toContain('environment KAS_AGENT_GRPC__LISTEN: agentGrpc.listen: expected host:port');
    expect(error).toContain('redis: expected exactly one of url, sentinel or cluster');
  });

  it('lets busy tunnels outlive the user-traffic drains by default, so the proxy ends its watches first', async () => {
    const config = await loadConfigFile(kasConfigSchema, {
      file: example,
      env: { KAS_KUBE_PROXY__DRAIN_BUDGET: '20m', KAS_PRIVATE_API__DRAIN_BUDGET: '30m' },
    });
    expect(toKasModules(config, secrets).agentGrpc.drainBudget).toBe(30 * 60_000 + 10_000);
    const explicit = await loadConfigFile(kasConfigSchema, {
      file: example,
      env: { KAS_AGENT_GRPC__DRAIN_BUDGET: '2h' },
    });
    expect(toKasModules(explicit, secrets).agentGrpc.drainBudget).toBe(7_200_000);
  });

  it('gives privateApi.tls to both ends: the private API serves it, the kube proxy trusts its CA', async () => {
    const config = await loadConfigFile(kasConfigSchema, {
      file: example,
      env: {
        KAS_PRIVATE_API__TLS__CERT_FILE: '/tls/tls.crt',
        KAS_PRIVATE_API__TLS__KEY_FILE: '/tls/tls.key',
        KAS_PRIVATE_API__TLS__CA_FILE: '/tls/ca.crt',
        KAS_PRIVATE_API__TLS__SERVER_NAME: 'kas-private.kas.svc',
      },
    });
    const modules = toKasModules(config, secrets);
    expect(modules.privateApi.tls).toEqual({ cert: { file: '/tls/tls.crt' }, key: { file: '/tls/tls.key' } });
    expect(modules.kubeProxy.privateApiTls).toEqual({
      ca: { file: '/tls/ca.crt' },
      serverName: 'kas-private.kas.svc',
    });
    const plain = await loadConfigFile(kasConfigSchema, { file: example, env: {} });
    expect(toKasModules(plain, secrets).kubeProxy.privateApiTls).toBeUndefined();
  });

  it('passes the idle-tunnel timeout on, 0 included (no trimming)', async () => {
    const config = await loadConfigFile(kasConfigSchema, {
      file: example,
      env: { KAS_AGENT_GRPC__IDLE_TUNNEL_TIMEOUT: '0' },
    });
    expect(toKasModules(config, secrets).agentGrpc.idleTunnelTimeout).toBe(0);
    const unset = await loadConfigFile(kasConfigSchema, { file: example, env: {} });
    expect(toKasModules(unset, secrets).agentGrpc.idleTunnelTimeout).toBe(60_000); // the module's default
  });
});
