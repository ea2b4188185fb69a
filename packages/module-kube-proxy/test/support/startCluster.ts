import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Agent, AgentkAgentsToken, agentkModule } from '@kas/agentk';
import { startTestApp, type TestApp } from '@kas/core/testing';
import { createDevCertificates, type DevCertificates } from '@kas/dev-certificates';
import { type FakeKubeApi, startFakeKubeApi } from '@kas/fake-kube-api';
import { pino } from 'pino';
import { AGENT_TOKENS, type AgentId, KUBE_API_TOKEN } from './identities.js';

/** Where an agent sends its requests: an HTTPS Kubernetes API and the CA it trusts for it. */
export interface KubeApiUpstream {
  readonly url: string;
  readonly ca: string;
}

/** A Kubernetes cluster for the tests: the fake API over HTTPS, and a folder for kubeconfigs and caches. */
export interface TestCluster {
  readonly certificates: DevCertificates;
  readonly api: FakeKubeApi;
  readonly upstream: KubeApiUpstream;
  readonly dir: string;
  stop(): Promise<void>;
}

/** Starts the fake Kubernetes API with TLS and a token, as a real API server asks for. */
export async function startCluster(certificates?: DevCertificates): Promise<TestCluster> {
  const certs = certificates ?? (await createDevCertificates());
  const api = await startFakeKubeApi({ tls: certs.server, token: KUBE_API_TOKEN });
  const dir = await mkdtemp(join(tmpdir(), 'kube-proxy-test-'));
  return {
    certificates: certs,
    api,
    upstream: { url: api.url, ca: certs.ca.cert },
    dir,
    stop: async () => {
      await api.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A real agentk (its module, in this process) serving the cluster. */
export interface TestAgent {
  readonly app: TestApp;
  readonly agent: Agent;
}

/** Starts agentk for one agent, connected to the given kas addresses (the next after a GOAWAY). */
export async function startAgent(
  upstream: KubeApiUpstream,
  kasAddresses: readonly string[],
  agentId: AgentId = 'agent-1',
  tunnels: { readonly minIdleTunnels?: number; readonly maxTunnels?: number } = {},
): Promise<TestAgent> {
  const level = process.env.TEST_LOG_LEVEL;
  const app = await startTestApp({
    ...(level === undefined ? {} : { logger: pino({ level }) }),
    modules: [
      agentkModule({
        agents: [{ name: agentId, token: AGENT_TOKENS[agentId] }],
        kasAddresses,
        kubeApi: { url: upstream.url, token: KUBE_API_TOKEN, ca: upstream.ca },
        minIdleTunnels: 2,
        ...tunnels,
        backoff: { initialMs: 20, maxMs: 200 },
        drainBudget: '2s',
      }),
    ],
  });
  const [agent] = app.app.get(AgentkAgentsToken);
  return { app, agent: agent as Agent };
}
