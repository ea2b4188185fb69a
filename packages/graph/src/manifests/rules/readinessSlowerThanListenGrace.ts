import { formatDuration } from '@kas/core';
import { defineLintRule } from '../../lint/defineLintRule.js';
import type { LintRule } from '../../lint/LintRule.js';
import type { DeploymentLintContext } from '../DeploymentLintContext.js';
import { POD_SPEC } from '../KasDeployment.js';

/** Load balancers must see kas not ready before its kube proxy stops accepting connections. */
export function readinessSlowerThanListenGrace(context: DeploymentLintContext | undefined): LintRule {
  return defineLintRule({
    code: 'KAS_READINESS_SLOWER_THAN_LISTEN_GRACE',
    title: 'readiness probe slower than the listen grace',
    severity: 'error',
    summary:
      "the kas container's readiness probe (periodSeconds x failureThreshold) needs longer to see kas stop than the kube proxy's listen grace plus the preStop delay",
    rationale:
      "At SIGTERM kas's /readiness answers 503 at once, and the kube proxy keeps accepting new connections for its listen grace (kubeProxy.listenGrace, default 5s), then closes its listener. " +
      'A load balancer that follows readiness stops sending only after the probe has failed failureThreshold times, periodSeconds apart. If that takes longer than the listen grace, new connections reach a closed port. ' +
      'A preStop hook that sleeps delays SIGTERM while the pod is already terminating, so it counts towards the time load balancers have.',
    example: [
      'readinessProbe: periodSeconds 10, failureThreshold 3; kubeProxy.listenGrace 5s; no preStop hook',
      '-> Deployment kas/kas: the readiness probe needs up to 10s x 3 = 30s to see kas stop, but the kube proxy closes its listener 5s after SIGTERM',
    ].join('\n'),
    fix: 'lower readinessProbe.periodSeconds or failureThreshold, raise kubeProxy.listenGrace in kas.yaml, or add a preStop sleep',
    *check() {
      if (context === undefined) return;
      const { deployment, listenGraceMs } = context;
      const container = [
        'spec',
        'template',
        'spec',
        'containers',
        { name: deployment.containerName },
      ] as const;
      const preStopMs = deployment.preStopDelaySeconds * 1000;
      const availableMs = listenGraceMs + preStopMs;
      const window = `the kube proxy closes its listener ${formatDuration(listenGraceMs)} after SIGTERM${preStopMs > 0 ? ` (${formatDuration(availableMs)} after the pod began terminating, with the preStop delay of ${formatDuration(preStopMs)})` : ''}`;
      if (deployment.readiness === undefined) {
        const location = deployment.locate(container);
        yield {
          message: `${deployment.label}: container "${deployment.containerName}" has no readiness probe, so load balancers cannot see kas stop before ${window}`,
          fix: `add readinessProbe: { httpGet: { path: /readiness, port: <observability port> }, periodSeconds: 1, failureThreshold: ${Math.max(1, Math.floor(availableMs / 1000))} } to container "${deployment.containerName}"`,
          modules: ['kube-proxy'],
          ...(location === undefined ? {} : { location }),
        };
        return;
      }
      const { periodSeconds, failureThreshold } = deployment.readiness;
      const detectMs = periodSeconds * failureThreshold * 1000;
      if (detectMs <= availableMs) return;
      const location =
        deployment.locate([...container, 'readinessProbe', 'periodSeconds']) ??
        deployment.locate([...POD_SPEC, 'containers']);
      yield {
        message: `${deployment.label}: spec.template.spec.containers[${deployment.containerName}].readinessProbe needs up to ${periodSeconds}s x ${failureThreshold} = ${formatDuration(detectMs)} to see kas stop, but ${window}: load balancers send new connections to a closed port`,
        fix: `make readinessProbe.periodSeconds x failureThreshold at most ${formatDuration(availableMs)} (e.g. periodSeconds: 1, failureThreshold: ${Math.max(1, Math.floor(availableMs / 1000))}), or raise kubeProxy.listenGrace in ${deployment.config.label} to at least ${formatDuration(Math.max(0, detectMs - preStopMs))}, or lengthen the preStop sleep`,
        modules: ['kube-proxy'],
        ...(location === undefined ? {} : { location }),
      };
    },
  });
}
