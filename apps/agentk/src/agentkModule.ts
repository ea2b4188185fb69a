import { setMaxListeners } from 'node:events';
import { type ChannelCredentials, credentials } from '@grpc/grpc-js';
import { parseConfig } from '@kas/config';
import { createToken, defineModule } from '@kas/core';
import { Agent } from './agent/Agent.js';
import { type AgentkOptions, agentkOptionsSchema } from './config/agentkOptionsSchema.js';
import { AgentkError } from './errors/AgentkError.js';
import { KubeApiUpstream } from './upstream/KubeApiUpstream.js';

/** The agents of the `agentk` module, for in-process use (their events, their stats). */
export const AgentkAgentsToken = createToken<readonly Agent[]>('agentk.agents');

/** The channel credentials for kas. */
export function kasCredentials(tls: { readonly ca?: string } | undefined): ChannelCredentials {
  if (tls === undefined) return credentials.createInsecure();
  return credentials.createSsl(tls.ca === undefined ? null : Buffer.from(tls.ca));
}

/**
 * agentk as a module of a `@kas/core` app: starts its agents, and at stop lets their in-flight requests
 * finish within the drain budget. It provides its agents (`AgentkAgentsToken`) for in-process use.
 * Parses `input` with `agentkOptionsSchema` at once; throws `AGENTK_INVALID_CONFIG` naming each bad key.
 */
export function agentkModule(input: AgentkOptions) {
  const options = parseConfig(
    agentkOptionsSchema,
    input,
    (problems, cause) =>
      new AgentkError('AGENTK_INVALID_CONFIG', `agentk options: ${problems}`, 'correct each option named', {
        cause,
      }),
  );
  return defineModule({
    name: 'agentk',
    drainBudget: options.drainBudget, // in-flight requests finish first
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
            minIdleTunnels: options.minIdleTunnels,
            maxTunnels: options.maxTunnels,
            backoff: options.backoff,
            registerTimeoutMs: options.registerTimeout,
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
              tunnels: options.minIdleTunnels,
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
          // Every agent listens for the cut: on a signal of the module's own, allowed that many listeners
          // (beyond ten, Node warns of a possible memory leak at every stop of a many-agents agentk).
          const cut = AbortSignal.any([ctx.signal]);
          setMaxListeners(agents.length + 1, cut);
          await Promise.all(agents.map((agent) => agent.stop(cut)));
          upstream.close();
        },
      };
    },
  });
}
