import { formatDuration } from '@kas/core';
import { defineLintRule } from '../../lint/defineLintRule.js';
import type { LintRule } from '../../lint/LintRule.js';
import type { DeploymentLintContext } from '../DeploymentLintContext.js';
import { POD_SPEC } from '../KasDeployment.js';

/** The fastest probe Kubernetes allows is 1 s x 1: a shorter listen grace leaves none that fits. */
const SHORTEST_PROBE_MS = 1_000;

/** A probe that sees kas stop within the listen grace, as the fix suggests it; none below 1 s. */
const probeWithin = (listenGraceMs: number) =>
  `periodSeconds: 1, failureThreshold: ${Math.floor(listenGraceMs / 1000)}`;

/**
 * Load balancers must see kas not ready before its kube proxy stops accepting connections. kas answers
 * /readiness 200 until SIGTERM, so only the listen grace counts: a preStop sleep comes before SIGTERM.
 */
export function readinessSlowerThanListenGrace(context: DeploymentLintContext | undefined): LintRule {
  return defineLintRule({
    code: 'KAS_READINESS_SLOWER_THAN_LISTEN_GRACE',
    title: 'readiness probe slower than the listen grace',
    severity: 'error',
    summary:
      "the kas container's readiness probe (periodSeconds x failureThreshold) needs longer to see kas stop than the kube proxy's listen grace (a preStop delay does not count: /readiness answers 503 only from SIGTERM)",
    rationale:
      "kas's /readiness answers 200 until SIGTERM and 503 from then on; the kube proxy keeps accepting new connections for its listen grace after SIGTERM (kubeProxy.listenGrace, default 5s), then closes its listener. " +
      'A load balancer that follows readiness stops sending only after the probe has failed failureThreshold times, periodSeconds apart, and the first failure comes after SIGTERM. If that takes longer than the listen grace, new connections reach a closed port. ' +
      'A preStop hook runs before SIGTERM and kas answers 200 through its sleep, so it gives such a load balancer no time: it is for those that follow the Service endpoints, which a terminating pod leaves at once, whatever its probe says.',
    example: [
      'readinessProbe: periodSeconds 4, failureThreshold 2; kubeProxy.listenGrace 5s; preStop sleep 5s',
      '-> Deployment kas/kas: the readiness probe needs up to 4s x 2 = 8s to see kas stop, but /readiness answers 503 only from SIGTERM and the kube proxy closes its listener 5s later (the preStop delay of 5s does not count)',
    ].join('\n'),
    fix: 'lower readinessProbe.periodSeconds or failureThreshold, or raise kubeProxy.listenGrace in kas.yaml; a longer preStop sleep does not help',
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
      const preStopNote =
        preStopMs > 0
          ? ` (the preStop delay of ${formatDuration(preStopMs)} does not count: kas answers 200 through it)`
          : '';
      const window = `/readiness answers 503 only from SIGTERM and the kube proxy closes its listener ${formatDuration(listenGraceMs)} later${preStopNote}`;
      const raiseGrace = (toMs: number) =>
        `raise kubeProxy.listenGrace in ${deployment.config.label} to at least ${formatDuration(toMs)}`;
      if (deployment.readiness === undefined) {
        const location = deployment.locate(container);
        const probe = probeWithin(Math.max(listenGraceMs, SHORTEST_PROBE_MS));
        yield {
          message: `${deployment.label}: container "${deployment.containerName}" has no readiness probe, so load balancers cannot see kas stop before the kube proxy closes its listener ${formatDuration(listenGraceMs)} after SIGTERM`,
          fix: `add readinessProbe: { httpGet: { path: /readiness, port: <observability port> }, ${probe} } to container "${deployment.containerName}"${listenGraceMs < SHORTEST_PROBE_MS ? `, and ${raiseGrace(SHORTEST_PROBE_MS)}` : ''}`,
          modules: ['kube-proxy'],
          ...(location === undefined ? {} : { location }),
        };
        return;
      }
      const { periodSeconds, failureThreshold } = deployment.readiness;
      const detectMs = periodSeconds * failureThreshold * 1000;
      if (detectMs <= listenGraceMs) return;
      const location =
        deployment.locate([...container, 'readinessProbe', 'periodSeconds']) ??
        deployment.locate([...POD_SPEC, 'containers']);
      const fasterProbe =
        listenGraceMs >= SHORTEST_PROBE_MS
          ? `make readinessProbe.periodSeconds x failureThreshold at most ${formatDuration(listenGraceMs)} (e.g. ${probeWithin(listenGraceMs)}), or `
          : '';
      yield {
        message: `${deployment.label}: spec.template.spec.containers[${deployment.containerName}].readinessProbe needs up to ${periodSeconds}s x ${failureThreshold} = ${formatDuration(detectMs)} to see kas stop, but ${window}: load balancers send new connections to a closed port`,
        fix: `${fasterProbe}${raiseGrace(detectMs)}; a longer preStop sleep does not help`,
        modules: ['kube-proxy'],
        ...(location === undefined ? {} : { location }),
      };
    },
  });
}
