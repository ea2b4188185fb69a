import { formatDuration } from '@kas/core';
import { defineLintRule } from '../../lint/defineLintRule.js';
import type { LintRule } from '../../lint/LintRule.js';
import {
  type DeploymentLintContext,
  EXIT_ALLOWANCE_MS,
  effectiveDeadlineMs,
} from '../DeploymentLintContext.js';
import { POD_SPEC } from '../KasDeployment.js';

const FIELD = 'spec.template.spec.terminationGracePeriodSeconds';

/** kas's shutdown deadline (plus the preStop delay and time to exit) must fit in the grace period. */
export function graceBelowShutdownDeadline(context: DeploymentLintContext | undefined): LintRule {
  return defineLintRule({
    code: 'KAS_GRACE_BELOW_SHUTDOWN_DEADLINE',
    title: 'grace period below the shutdown deadline',
    severity: 'error',
    summary:
      "the kas Deployment's terminationGracePeriodSeconds does not leave room for the preStop delay, kas's shutdownDeadline and its exit",
    rationale:
      "kas's shutdownDeadline bounds its whole stop: when it passes, kas cuts every drain, ends its stages and exits (code 3), with a trace and log lines saying what was cut. " +
      'If the kubelet kills kas first, none of that happens. So the deadline sits just under the grace period: grace > preStop delay + shutdownDeadline + a few seconds to exit. ' +
      "Without shutdownDeadline in kas.yaml, kas uses the stop plan's worst case plus 10s. " +
      'Reported only when the stop plan itself fits in the grace period (otherwise KAS_GRACE_BELOW_STOP_PLAN says so).',
    example: [
      'terminationGracePeriodSeconds: 3630, preStop sleep 5s; stop plan worst case 1h 20s; no shutdownDeadline in kas.yaml (default: 1h 30s)',
      "-> Deployment kas/kas: spec.template.spec.terminationGracePeriodSeconds is 3630s, but the preStop delay (5s), kas's shutdownDeadline (1h 30s) and 5s to exit take 1h 40s",
    ].join('\n'),
    fix: 'raise terminationGracePeriodSeconds, or set shutdownDeadline in kas.yaml just under it (grace - preStop delay - 5s)',
    *check(graph) {
      if (context === undefined) return;
      const { deployment } = context;
      const graceMs = deployment.terminationGraceSeconds * 1000;
      const preStopMs = deployment.preStopDelaySeconds * 1000;
      const worstMs = graph.plan.stop.criticalPath.worstCaseMs;
      if (graceMs <= preStopMs + worstMs) return; // KAS_GRACE_BELOW_STOP_PLAN reports it
      const deadlineMs = effectiveDeadlineMs(context, graph);
      const neededMs = preStopMs + deadlineMs + EXIT_ALLOWANCE_MS;
      if (graceMs >= neededMs) return;
      const isDefault = context.shutdownDeadlineMs === undefined;
      const location = deployment.locate([...POD_SPEC, 'terminationGracePeriodSeconds']);
      yield {
        message: `${deployment.label}: ${FIELD} is ${deployment.terminationGraceSeconds}s, but the preStop delay (${formatDuration(preStopMs)}), kas's shutdownDeadline (${formatDuration(deadlineMs)}${isDefault ? ": not set, the stop plan's worst case + 10s" : ''}) and ${formatDuration(EXIT_ALLOWANCE_MS)} to exit take ${formatDuration(neededMs)}: a stop that reaches the deadline is killed before kas ends it`,
        fix: `set ${FIELD} to at least ${Math.ceil(neededMs / 1000)}, or set shutdownDeadline in ${deployment.config.label} to at most ${formatDuration(graceMs - preStopMs - EXIT_ALLOWANCE_MS)} (not below the stop plan's worst case, ${formatDuration(worstMs)})`,
        modules: [],
        ...(location === undefined ? {} : { location }),
      };
    },
  });
}
