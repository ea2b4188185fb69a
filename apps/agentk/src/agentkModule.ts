import { type ChannelCredentials, credentials } from '@grpc/grpc-js';
import { createToken, type Duration, defineModule } from '@kas/core';
import { Agent } from './agent/Agent.js';
import type { BackoffOptions } from './agent/Backoff.js';
import { KubeApiUpstream, type KubeApiUpstreamOptions } from './upstream/KubeApiUpstream.js';

/** One agent identity of an agentk process. */
export interface AgentIdentity {
  /** A label for logs. */
  readonly name: string;
  /** The bearer token kas knows the agent by. */
  readonly token: string;
}

/** What the `agentk` module runs: one agent, or many independent ones sharing an upstream. */
export interface AgentkOptions {
  readonly agents: readonly AgentIdentity[];
  readonly kasAddresses: readonly string[];
  /** TLS to kas: `{ ca }` trusts that PEM bundle, `{}` trusts Node's CAs. Default: plaintext. */
  readonly kasTls?: { readonly ca?: string };
  readonly kubeApi: KubeApiUpstreamOptions;
  /** Set when `kubeApi` is the in-cluster API found from the pod's environment: said at start. */
  readonly inCluster?: { readonly tokenFile: string; readonly caFile: string };
  /** Idle tunnels each agent keeps. Default 4. */
  readonly minIdleTunnels?: number;
  /** Tunnels each agent opens at most. Default 64. */
  readonly maxTunnels?: number;
  readonly backoff?: BackoffOptions;
  /** How long in-flight requests may finish at stop. Default `'30s'`. */
  readonly drainBudget?: Duration;
}

/** The agents of the `agentk` module, for in-process use (their events, their stats). */
export const AgentkAgentsToken = createToken<readonly Agent[]>('agentk.agents');

/** Defaults of `AgentkOptions`. */
export const AGENTK_DEFAULTS = { minIdleTunnels: 4, maxTunnels: 64, drainBudget: '30s' } as const;

/** The channel credentials for kas. */
export function kasCredentials(tls: AgentkOptions['kasTls']): ChannelCredentials {
  if (tls === undefined) return credentials.createInsecure();
  return credentials.createSsl(tls.ca === undefined ? null : Buffer.from(tls.ca));
}

/**
 * agentk as a module of a `@kas/core` app: starts its agents, and at stop lets their in-flight requests
 * finish within the drain budget. It provides its agents (`AgentkAgentsToken`) for in-process use.
 */
export function agentkModule(options: AgentkOptions) {
  return defineModule({
    name: 'agentk',
    drainBudget: options.drainBudget ?? AGENTK_DEFAULTS.drainBudget, // in-flight requests finish first
    provides: { agents: AgentkAgentsToken },
    create: ({ log }) => {
      const upstream = new KubeApiUpstream(options.kubeApi);
      const kasCredentialsOfAll = kasCredentials(options.kasTls);
      const agents = options.agents.map(
        (identity) =>
          new Agent({
            name: identity.name,
            token: identity.token,
            kasAddresses: options.kasAddresses,
            kasCredentials: kasCredentialsOfAll,
            upstream,
            minIdleTunnels: options.minIdleTunnels ?? AGENTK_DEFAULTS.minIdleTunnels,
            maxTunnels: options.maxTunnels ?? AGENTK_DEFAULTS.maxTunnels,
            backoff: options.backoff,
            log,
          }),
      );
      return {
        provides: { agents },
        async start() {
          log.info(
            {
              event: 'agentk.starting',
              agents: agents.length,
              kasAddresses: options.kasAddresses,
              kubeApi: upstream.url,
              tunnels: options.minIdleTunnels ?? AGENTK_DEFAULTS.minIdleTunnels,
            },
            `starting ${agents.length} agent(s) for ${upstream.url}`,
          );
          if (options.inCluster !== undefined) {
            log.info(
              { event: 'kubeApi.inCluster', kubeApi: upstream.url, ...options.inCluster },
              `serving the in-cluster Kubernetes API ${upstream.url} as the pod's service account (token ${options.inCluster.tokenFile}, read again when it rotates; CA ${options.inCluster.caFile})`,
            );
          }
          for (const agent of agents) agent.start();
        },
        async stop(ctx) {
          await Promise.all(agents.map((agent) => agent.stop(ctx.signal)));
          upstream.close();
        },
      };
    },
  });
}
