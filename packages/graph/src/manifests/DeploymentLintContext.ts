import { SHUTDOWN_DEADLINE_MARGIN_MS } from '@kas/core';
import type { LintGraph } from '../lint/LintGraph.js';
import type { KasDeployment } from './KasDeployment.js';

/** What the deployment rules check the stop plan against: the Deployment, and kas's own stop settings. */
export interface DeploymentLintContext {
  readonly deployment: KasDeployment;
  /** `shutdownDeadline` when kas.yaml (or a `KAS_*` variable) sets it. */
  readonly shutdownDeadlineMs?: number;
  /** The kube proxy's listen grace: new connections are accepted this long after SIGTERM. */
  readonly listenGraceMs: number;
  /** Why the config runs as a single replica only (kas: an in-memory tunnel directory), when it does. */
  readonly singleReplicaOnly?: string;
}

/**
 * Time kas needs after its shutdown deadline to end a forced stop and exit (the core gives a cut stop 1 s,
 * then the process exits): the grace period must leave this much after the deadline.
 */
export const EXIT_ALLOWANCE_MS = 5_000;

/** kas's shutdown deadline: the configured one, or the core's default (the worst case plus a margin). */
export function effectiveDeadlineMs(context: DeploymentLintContext, graph: LintGraph): number {
  return context.shutdownDeadlineMs ?? graph.plan.stop.criticalPath.worstCaseMs + SHUTDOWN_DEADLINE_MARGIN_MS;
}

/** The modules on the stop plan's critical path whose drain budget is their stage's (the ones to shorten). */
export function criticalModules(graph: LintGraph): string[] {
  return graph.plan.stop.criticalPath.stages.flatMap((id) => {
    const stage = graph.stopStage(id);
    return stage.members.filter((member) => graph.module(member).drainBudgetMs === stage.drainBudgetMs);
  });
}

/** `agent-grpc-server+tunnel-tracker (1h 10s) -> redis-connection (5s)`. */
export function describeCriticalPath(graph: LintGraph, format: (ms: number) => string): string {
  return graph.plan.stop.criticalPath.stages
    .map((id) => `${id} (${format(graph.stopStage(id).drainBudgetMs)})`)
    .join(' -> ');
}
