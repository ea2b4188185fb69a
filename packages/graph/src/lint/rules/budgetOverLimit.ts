import { formatDuration } from '@kas/core';
import { defineLintRule } from '../defineLintRule.js';
import { listSome } from '../listSome.js';
import { stageLabel } from '../stageLabel.js';

/** The stop plan's worst case must fit in the platform's termination grace. */
export const budgetOverLimit = defineLintRule({
  code: 'KAS_BUDGET_OVER_LIMIT',
  title: 'budget over platform limit',
  severity: 'error',
  summary: "the stop plan's worst-case duration (its critical path) exceeds the platform's termination grace",
  rationale:
    'The platform kills the process when its grace period ends (Kubernetes: terminationGracePeriodSeconds after SIGTERM, preStop hooks included). ' +
    'A stop plan that may take longer is cut by SIGKILL: no drain-cut signal, no final stages, no trace of the end. ' +
    "The worst case is the sum of stage drain budgets along the stop plan's critical path. " +
    'The rule checks only when a limit is given (`--termination-grace 3600s`, or `terminationGrace` in the config file).',
  example: [
    "kube-proxy drainBudget '1h', redis-connection drainBudget '30s' (stops after kube-proxy), --termination-grace 3600s",
    '-> the stop plan may take up to 1h 30s (critical path: kube-proxy (1h) -> redis-connection (30s)), more than the termination grace of 1h',
  ].join('\n'),
  fix: "lower the drain budgets on the critical path, or raise the platform's grace period (and pass it as --termination-grace)",
  *check(graph) {
    const limitMs = graph.limits.terminationGraceMs;
    const { stages, worstCaseMs } = graph.plan.stop.criticalPath;
    if (limitMs === undefined || worstCaseMs <= limitMs) return;
    const path = listSome(
      stages.map(
        (id) => `${stageLabel(graph.stopStage(id))} (${formatDuration(graph.stopStage(id).drainBudgetMs)})`,
      ),
      ' -> ',
    );
    const longest = stages.flatMap((id) => {
      const stage = graph.stopStage(id);
      return stage.members.filter((member) => graph.module(member).drainBudgetMs === stage.drainBudgetMs);
    });
    yield {
      message: `the stop plan may take up to ${formatDuration(worstCaseMs)} (critical path: ${path}), more than the termination grace of ${formatDuration(limitMs)}: the platform kills the process before the stop completes`,
      fix: `shorten every stop path longer than ${formatDuration(limitMs)} by at least ${formatDuration(worstCaseMs - limitMs)} (the critical path: ${listSome(longest.map((name) => `"${name}" ${formatDuration(graph.module(name).drainBudgetMs)}`))}), or raise the grace period to at least ${Math.ceil(worstCaseMs / 1000)}s`,
      modules: longest,
    };
  },
});
