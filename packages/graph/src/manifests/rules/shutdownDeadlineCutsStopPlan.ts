import { formatDuration } from '@kas/core';
import { defineLintRule } from '../../lint/defineLintRule.js';
import type { LintRule } from '../../lint/LintRule.js';
import { criticalModules, type DeploymentLintContext } from '../DeploymentLintContext.js';

/** A shutdownDeadline below the stop plan's worst case cuts drains that are still within their budgets. */
export function shutdownDeadlineCutsStopPlan(context: DeploymentLintContext | undefined): LintRule {
  return defineLintRule({
    code: 'KAS_SHUTDOWN_DEADLINE_CUTS_STOP_PLAN',
    title: 'shutdown deadline cuts the stop plan',
    severity: 'warn',
    summary: "kas's shutdownDeadline (kas.yaml) is shorter than the stop plan's worst case",
    rationale:
      "The drain budgets say how long each stop stage may take; the shutdown deadline bounds the whole stop. A deadline below the stop plan's worst case cuts stages that are still within their budgets: long watches end at the deadline instead of at the kube proxy's budget. " +
      'That may be what you want (a hard bound), but then the budgets overstate the stop: lower them instead, so the plan and the deadline agree.',
    example: [
      'kas.yaml: shutdownDeadline 30m, kubeProxy.drainBudget 1h (stop plan worst case 1h 20s)',
      "-> kas's shutdownDeadline (30m) is shorter than the stop plan's worst case (1h 20s): drains are cut at the deadline",
    ].join('\n'),
    fix: "raise shutdownDeadline to at least the stop plan's worst case (and the grace period with it), or lower the drain budgets",
    *check(graph) {
      if (context?.shutdownDeadlineMs === undefined) return;
      const worstMs = graph.plan.stop.criticalPath.worstCaseMs;
      if (context.shutdownDeadlineMs >= worstMs) return;
      const modules = criticalModules(graph);
      yield {
        message: `kas's shutdownDeadline (${formatDuration(context.shutdownDeadlineMs)}, in ${context.deployment.config.label}) is shorter than the stop plan's worst case (${formatDuration(worstMs)}): drains within their budgets are cut at the deadline`,
        fix: `raise shutdownDeadline to at least ${formatDuration(worstMs)} (and terminationGracePeriodSeconds with it), or lower the drain budgets of ${modules.map((name) => `"${name}"`).join(', ')}`,
        modules,
      };
    },
  });
}
