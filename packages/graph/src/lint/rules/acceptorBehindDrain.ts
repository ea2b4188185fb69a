import type { StopEdge } from '@kas/core';
import { formatDuration } from '@kas/core';
import { defineLintRule } from '../defineLintRule.js';
import type { LintGraph } from '../LintGraph.js';
import { listSome } from '../listSome.js';
import { stageLabel } from '../stageLabel.js';
import { stopSetByNote } from '../stopSetBy.js';

/** A module that accepts connections must begin its stop at once, not behind a long drain. */
export const acceptorBehindDrain = defineLintRule({
  code: 'KAS_ACCEPTOR_BEHIND_DRAIN',
  title: 'acceptor behind a drain',
  severity: 'error',
  summary:
    'a module that accepts connections cannot begin stopping until a stage with a long drain budget completes',
  rationale:
    'Until an acceptor begins its stop it keeps accepting: clients (agents, load balancers) keep connecting to a process that is going away, ' +
    'and nothing tells them to move. An acceptor that waits for another stage to drain does this for the whole drain. ' +
    'The rule fires when the acceptor may begin its stop later than the accept delay limit (default 30s, `--accept-delay-limit`) after the stop begins, ' +
    'counting every stage it waits for at its full drain budget.',
  example: [
    "kubeProxy = defineModule({ name: 'kube-proxy', startAfter: ['agent-grpc-server'], drainBudget: '1h', ... }) // default: stops before agent-grpc-server",
    "agentGrpcServer = defineModule({ name: 'agent-grpc-server', accepts: ['agent-tunnels'], ... })",
    '-> "agent-grpc-server" accepts agent-tunnels but cannot begin stopping until stage "kube-proxy" (drain budget 1h) has completed, up to 1h after the stop begins',
  ].join('\n'),
  fix: "let the acceptor's stop begin at once: declare stop: { alongside: [<acceptor>] } on the draining module that started after it, or drop the acceptor's stop.after (or its stop: { last: true })",
  *check(graph) {
    const longestBefore = longestOnWorstChains(graph);
    let edgesInto: ReadonlyMap<string, readonly StopEdge[]> | undefined;
    for (const acceptor of graph.plan.modules) {
      if (acceptor.accepts.length === 0) continue;
      const stage = graph.stopStageOf(acceptor.name);
      const timing = graph.stopTiming(stage.id);
      if (timing.latestBeginMs <= graph.limits.acceptDelayLimitMs) continue;
      const blocker = timing.waitsLongestFor as string;
      const longest = longestBefore.get(stage.id) as string;
      edgesInto ??= groupEdgesByTarget(graph);
      yield {
        message: `"${acceptor.name}" accepts ${acceptor.accepts.join(', ')} but cannot begin stopping until stage "${stageLabel(graph.stopStage(longest))}" (drain budget ${formatDuration(graph.stopStage(longest).drainBudgetMs)}) has completed, up to ${formatDuration(timing.latestBeginMs)} after the stop begins: it keeps accepting while its process is going away`,
        fix: unblock(graph, edgesInto, blocker, stage.id),
        modules: [acceptor.name, ...graph.stopStage(longest).members],
      };
    }
  },
});

/** For each stage, the stage with the longest drain budget on its worst-case chain (one pass in topological order). */
function longestOnWorstChains(graph: LintGraph): ReadonlyMap<string, string> {
  const longest = new Map<string, string>();
  for (const stage of graph.plan.stop.stages) {
    const previous = graph.stopTiming(stage.id).waitsLongestFor;
    if (previous === undefined) continue;
    const before = longest.get(previous);
    longest.set(
      stage.id,
      before !== undefined && graph.stopStage(before).drainBudgetMs > graph.stopStage(previous).drainBudgetMs
        ? before
        : previous,
    );
  }
  return longest;
}

function groupEdgesByTarget(graph: LintGraph): ReadonlyMap<string, readonly StopEdge[]> {
  const byTarget = new Map<string, StopEdge[]>();
  for (const edge of graph.plan.stop.edges) {
    const list = byTarget.get(edge.to);
    if (list === undefined) byTarget.set(edge.to, [edge]);
    else list.push(edge);
  }
  return byTarget;
}

function unblock(
  graph: LintGraph,
  edgesInto: ReadonlyMap<string, readonly StopEdge[]>,
  blockerStage: string,
  acceptorStage: string,
): string {
  const blockers = new Set(graph.stopStage(blockerStage).members);
  const edges = graph
    .stopStage(acceptorStage)
    .members.flatMap((member) => edgesInto.get(member) ?? [])
    .filter((candidate) => blockers.has(candidate.from));
  if (edges.length === 0)
    return `remove what makes stage "${stageLabel(graph.stopStage(acceptorStage))}" wait for stage "${stageLabel(graph.stopStage(blockerStage))}"`;
  const lastOnes = new Set<string>();
  const fixes = edges.flatMap((edge) => {
    if (edge.reason === 'default')
      return [
        `"${edge.from}" started after "${edge.to}", so by default it stops first: declare stop: { alongside: ['${edge.to}'] } on "${edge.from}"`,
      ];
    // `last` puts every other module into the stop.after of the module that declares it: one fix for all.
    if (graph.module(edge.to).stop.last === true) {
      if (lastOnes.has(edge.to)) return [];
      lastOnes.add(edge.to);
      const observes = graph.module(edge.to).observes;
      return [
        `drop stop: { last: true } from "${edge.to}"${stopSetByNote(graph.module(edge.to))}: an acceptor must begin its stop at once` +
          (observes.length === 0
            ? ''
            : ` (it also observes ${observes.join(', ')}, which wants it to stop last, KAS_OBSERVER_STOPS_EARLY: make it two modules, one that accepts and one that observes with stop: { last: true })`),
      ];
    }
    return [`drop "${edge.from}" from the stop.after of "${edge.to}"${stopSetByNote(graph.module(edge.to))}`];
  });
  return listSome(fixes, '; ');
}
