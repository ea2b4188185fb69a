import type { LintRule } from '../lint/LintRule.js';
import type { DeploymentLintContext } from './DeploymentLintContext.js';
import { environmentUnseen } from './rules/environmentUnseen.js';
import { graceBelowShutdownDeadline } from './rules/graceBelowShutdownDeadline.js';
import { graceBelowStopPlan } from './rules/graceBelowStopPlan.js';
import { readinessSlowerThanListenGrace } from './rules/readinessSlowerThanListenGrace.js';
import { replicasWithoutSharedState } from './rules/replicasWithoutSharedState.js';
import { shutdownDeadlineCutsStopPlan } from './rules/shutdownDeadlineCutsStopPlan.js';

/**
 * The rules `kas-graph lint --manifests` adds: the kas Deployment's grace period and readiness probe
 * against the stop plan of the config it runs with, its replica count against a config that keeps its state
 * in one process, and the environment it cannot read. Without a context (for `explain` and the docs)
 * they find nothing.
 */
export function deploymentLintRules(context?: DeploymentLintContext): LintRule[] {
  return [
    graceBelowStopPlan(context),
    graceBelowShutdownDeadline(context),
    shutdownDeadlineCutsStopPlan(context),
    readinessSlowerThanListenGrace(context),
    replicasWithoutSharedState(context),
    environmentUnseen(context),
  ];
}
