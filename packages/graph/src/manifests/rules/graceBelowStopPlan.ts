import { formatDuration } from '@kas/core';
import { defineLintRule } from '../../lint/defineLintRule.js';
import type { LintRule } from '../../lint/LintRule.js';
import {
  criticalModules,
  type DeploymentLintContext,
  describeCriticalPath,
  EXIT_ALLOWANCE_MS,
  effectiveDeadlineMs,
} from '../DeploymentLintContext.js';
import { POD_SPEC } from '../KasDeployment.js';

const FIELD = 'spec.template.spec.terminationGracePeriodSeconds';

/** The Deployment's grace period must outlast the preStop delay plus the stop plan's worst case. */
export function graceBelowStopPlan(context: DeploymentLintContext | undefined): LintRule {
  return defineLintRule({
    code: 'KAS_GRACE_BELOW_STOP_PLAN',
    title: 'grace period below the stop plan',
    severity: 'error',
    summary:
      "the kas Deployment's terminationGracePeriodSeconds does not exceed the preStop delay plus the stop plan's worst case",
    rationale:
      'The kubelet sends SIGKILL when terminationGracePeriodSeconds have passed since the pod began terminating; a preStop hook runs first, inside that time. ' +
      "kas's stop plan may take its worst case (the drain budgets along its critical path) after SIGTERM: a shorter grace kills kas mid-drain, so watches break instead of ending and the final stages (the Redis connection, observability) never run. " +
      "The stop plan is the one kas runs with the Deployment's config: the ConfigMap's kas.yaml with the container's KAS_* variables. " +
      'Checked by `kas-graph lint <entry> --manifests <kustomization or file>`.',
    example: [
      'terminationGracePeriodSeconds: 30, preStop sleep 5s; kas.yaml: kubeProxy.drainBudget 1h (stop plan worst case 1h 20s)',
      "-> Deployment kas/kas: spec.template.spec.terminationGracePeriodSeconds is 30s, but the stop plan's worst case is 1h 20s (critical path: ...), after a preStop delay of 5s: the kubelet kills kas before its stop completes",
    ].join('\n'),
    fix: "raise terminationGracePeriodSeconds above the preStop delay plus kas's shutdown deadline, or lower the drain budgets on the critical path in kas.yaml",
    *check(graph) {
      if (context === undefined) return;
      const { deployment } = context;
      const graceMs = deployment.terminationGraceSeconds * 1000;
      const preStopMs = deployment.preStopDelaySeconds * 1000;
      const worstMs = graph.plan.stop.criticalPath.worstCaseMs;
      if (graceMs > preStopMs + worstMs) return;
      const neededSeconds = Math.ceil(
        (preStopMs + Math.max(effectiveDeadlineMs(context, graph), worstMs) + EXIT_ALLOWANCE_MS) / 1000,
      );
      const location = deployment.locate([...POD_SPEC, 'terminationGracePeriodSeconds']);
      const modules = criticalModules(graph);
      yield {
        message: `${deployment.label}: ${FIELD} is ${deployment.terminationGraceSeconds}s${deployment.isTerminationGraceDefault ? " (not set: Kubernetes' default)" : ''}, but the stop plan's worst case is ${formatDuration(worstMs)} (critical path: ${describeCriticalPath(graph, formatDuration)})${preStopMs > 0 ? `, after a preStop delay of ${formatDuration(preStopMs)}` : ''}: the kubelet kills kas before its stop completes`,
        fix: `set ${FIELD} to at least ${neededSeconds} (preStop delay + kas's shutdown deadline + ${formatDuration(EXIT_ALLOWANCE_MS)} to exit), or lower the drain budgets in ${deployment.config.label} (critical path: ${modules.map((name) => `"${name}" ${formatDuration(graph.module(name).drainBudgetMs)}`).join(', ')})`,
        modules,
        ...(location === undefined ? {} : { location }),
      };
    },
  });
}
