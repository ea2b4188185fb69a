import { Agent, KubeApiUpstream, kasCredentials } from '@kas/agentk';
import { createToken, defineModule } from '@kas/core';
import { type FakeKubeApi, startFakeKubeApi, writeKubeconfig } from '@kas/fake-kube-api';
import { AgentGrpcServerToken } from '@kas/module-agent-grpc';
import { KubeProxyToken } from '@kas/module-kube-proxy';
import { environmentVariableOf } from '../config/envOverrides.js';
import { ObservabilityEndpointToken } from '../observability/observabilityModule.js';

/** The dev cluster's fake Kubernetes API, once it listens. */
export const DevKubeApiToken = createToken<{ readonly url: string }>('dev-kube-api.url');

/** A fake Kubernetes API in this process, with pods coming and going: what the dev agent serves. */
export function devKubeApiModule() {
  return defineModule({
    name: 'dev-kube-api',
    drainBudget: '2s',
    provides: { kubeApi: DevKubeApiToken },
    create: ({ log }) => {
      let server: FakeKubeApi | undefined;
      const kubeApi = { url: '' };
      return {
        provides: { kubeApi },
        async start() {
          server = await startFakeKubeApi({ demoActivity: { intervalMs: 5_000 }, log });
          kubeApi.url = server.url;
        },
        stop: async () => server?.stop(),
      };
    },
  });
}

/** What the dev agent needs to know. */
export interface DevAgentOptions {
  /** The dev agent's token (its sha256 is in the dev agents file). */
  readonly agentToken: string;
  /** The kubectl user's token (`user:<agent-id>:<secret>`), written into the kubeconfig. */
  readonly userToken: string;
  /** PEM of the dev CA, which kubectl must trust. */
  readonly caPem: string;
  readonly kubeconfigPath: string;
}

/**
 * agentk in this process, connected to this kas and serving the dev fake Kubernetes API; once its
 * tunnels are up it writes the kubeconfig and says in one line what to run, and where to watch kas's
 * lifecycle live. It stops after kas's own modules, as a remote agent would: it sees GOAWAY first.
 */
export function devAgentModule(options: DevAgentOptions) {
  return defineModule({
    name: 'dev-agent',
    startAfter: ['kube-proxy'],
    stop: { after: ['agent-grpc-server', 'tunnel-tracker', 'kube-proxy', 'private-api'] },
    drainBudget: '2s',
    needs: {
      kubeApi: DevKubeApiToken,
      agentServer: AgentGrpcServerToken,
      proxy: KubeProxyToken,
      observability: ObservabilityEndpointToken,
    },
    create: ({ kubeApi, agentServer, proxy, observability, log }) => {
      let agent: Agent | undefined;
      let upstream: KubeApiUpstream | undefined;
      return {
        async start() {
          upstream = new KubeApiUpstream({ url: kubeApi.url });
          const agentLog = log.child({});
          agent = new Agent({
            name: 'dev-agent',
            token: options.agentToken,
            kasAddresses: [agentServer.address],
            kasCredentials: kasCredentials(undefined),
            upstream,
            minIdleTunnels: 2,
            maxTunnels: 16,
            log: agentLog,
          });
          // Its only kas is this process, whose GOAWAY means it is stopping: the agent's attempts to
          // reconnect can only fail until its own stop, and warning about each would read as a problem
          // with a clean stop. Its errors still show.
          agent.once('goaway', () => {
            agentLog.level = 'error';
          });
          const ready = new Promise<void>((resolve) => agent?.once('tunnelsReady', () => resolve()));
          agent.start();
          await ready;
          await writeKubeconfig({
            path: options.kubeconfigPath,
            server: proxy.url,
            caPem: options.caPem,
            token: options.userToken,
          });
          const command = `KUBECONFIG=${options.kubeconfigPath} kubectl get pods`;
          const { lifecyclePage } = observability;
          const watchCommand = `npx kas-graph watch ${observability.url}`;
          log.warn(
            {
              event: 'dev.ready',
              kubeconfig: options.kubeconfigPath,
              kubeProxy: proxy.url,
              command,
              ...(lifecyclePage === undefined ? {} : { lifecyclePage, watchCommand }),
            },
            `DEV MODE ready: run  ${command}  (answers through kas -> tunnel -> dev agent -> fake Kubernetes API). ${
              lifecyclePage === undefined
                ? `The live lifecycle view is off: ${environmentVariableOf(['observability', 'debug'])}=true turns it on.`
                : `Watch kas start and stop live: open  ${lifecyclePage}  or run  ${watchCommand}`
            }`,
          );
        },
        async stop(ctx) {
          await agent?.stop(ctx.signal);
          upstream?.close();
        },
      };
    },
  });
}
