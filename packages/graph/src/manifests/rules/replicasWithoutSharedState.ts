import { defineLintRule } from '../../lint/defineLintRule.js';
import type { LintRule } from '../../lint/LintRule.js';
import type { DeploymentLintContext } from '../DeploymentLintContext.js';

const FIX =
  'give kas the shared tunnel directory (redis: in kas.yaml, or the overlay deploy/kubernetes/overlays/redis or sentinel), or run one replica (spec.replicas: 1, no autoscaler)';

/**
 * A config that keeps its state in one process (kas: the tunnel directory in memory) run as several
 * replicas: each replica knows only its own agents, and a user's request that the Service sends to
 * another replica fails.
 */
export function replicasWithoutSharedState(context: DeploymentLintContext | undefined): LintRule {
  return defineLintRule({
    code: 'KAS_REPLICAS_WITHOUT_SHARED_STATE',
    title: 'several replicas without a shared tunnel directory',
    severity: 'error',
    summary:
      'the kas Deployment runs more than one replica (spec.replicas, or an autoscaler of it), but its config keeps the tunnel directory in memory (no redis:)',
    rationale:
      'An agent keeps its tunnels to one replica. The other replicas find them through the shared tunnel directory in Redis and forward a request there; with the in-memory directory a replica knows only the agents connected to it. ' +
      "Behind the kas-users Service, a user's request lands on any replica: with N replicas about (N-1)/N of them wait the kube proxy's tunnel wait and fail with 503 (the agent is not connected to kas), though the agent is connected to another replica.",
    example: [
      'deploy/kubernetes/kas (the base, without the redis overlay): replicas 3, kas.yaml without redis:',
      "-> Deployment kas/kas runs 3 replicas, but with kas.yaml of ConfigMap kas/kas-5fh2k its tunnel directory is in memory (no redis:), so each replica knows only the agents connected to it: about 2 in 3 of a user's requests fail",
    ].join('\n'),
    fix: FIX,
    *check() {
      if (context?.singleReplicaOnly === undefined) return;
      const { deployment } = context;
      const autoscaler = deployment.autoscaler;
      const most = Math.max(deployment.replicas, autoscaler?.maxReplicas ?? 0);
      if (most <= 1) return;
      const runs =
        autoscaler !== undefined && autoscaler.maxReplicas > deployment.replicas
          ? `may run up to ${autoscaler.maxReplicas} replicas (${autoscaler.label})`
          : `runs ${deployment.replicas} replicas`;
      const location = deployment.locate(['spec', 'replicas']);
      yield {
        message: `${deployment.label} ${runs}, but with ${deployment.config.label} ${context.singleReplicaOnly}: about ${most - 1} in ${most} of a user's requests fail`,
        fix: FIX,
        modules: [],
        ...(location === undefined ? {} : { location }),
      };
    },
  });
}
