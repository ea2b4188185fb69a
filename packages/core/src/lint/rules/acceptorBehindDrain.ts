import { defineLintRule } from '../defineLintRule.js';
import { formatDuration } from '../formatDuration.js';
import type { LintGraph } from '../LintGraph.js';

/** A module that accepts connections must begin its stop at once, not behind a long drain. */
export const acceptorBehindDrain = defineLintRule({
  code: 'KAS_ACCEPTOR_BEHIND_DRAIN',
  title: 'acceptor behind a drain',
  severity: 'error',
  summary:
    'a module that accepts connections cannot begin stopping until a stage with a long drain budget completes',
  rationale:
    'Until an acceptor begins its stop it keeps accepting: clients (agents, load balancers) keep connecting to a replica that is going away, ' +
    'and nothing tells them to move. An acceptor that waits for another stage to drain does this for the whole drain. ' +
    'The rule fires when the acceptor may begin its stop later than the accept delay limit (default 30s, `--accept-delay-limit`) after the stop begins, ' +
    'counting every stage it waits for at its full drain budget.',
  example: [
    "kubeProxy = defineModule({ name: 'kube-proxy', startAfter: ['agent-grpc-server'], drainBudget: '1h', ... }) // default: stops before agent-grpc-server",
    "agentGrpcServer = defineModule({ name: 'agent-grpc-server', accepts: ['agent-tunnels'], ... })",
    '-> "agent-grpc-server" accepts agent-tunnels but cannot begin stopping until stage "kube-proxy" (drain budget 1h) has completed, up to 1h after the stop begins',
  ].join('\n'),
  fix: "let the acceptor's stop begin at once: declare stop: { alongside: [<acceptor>] } on the draining module that started after it, or drop the acceptor's stop.after",
  *check(graph) {
    for (const acceptor of graph.plan.modules) {
      if (acceptor.accepts.length === 0) continue;
      const stage = graph.stopStageOf(acceptor.name);
      const timing = graph.stopTiming(stage.id);
      if (timing.latestBeginMs <= graph.limits.acceptDelayLimitMs) continue;
      const chain = worstChain(graph, stage.id);
      const longest = chain.reduce((best, id) =>
        graph.stopStage(id).drainBudgetMs > graph.stopStage(best).drainBudgetMs ? id : best,
      );
      const blocker = chain[0] as string;
      yield {
        message: `"${acceptor.name}" accepts ${acceptor.accepts.join(', ')} but cannot begin stopping until stage "${longest}" (drain budget ${formatDuration(graph.stopStage(longest).drainBudgetMs)}) has completed, up to ${formatDuration(timing.latestBeginMs)} after the stop begins: it keeps accepting on a replica that is going away`,
        fix: unblock(graph, blocker, stage.id),
        modules: [acceptor.name, ...graph.stopStage(longest).members],
      };
    }
  },
});

/** The stages on the worst-case chain before `stageId`, nearest first. */
function worstChain(graph: LintGraph, stageId: string): string[] {
  const chain: string[] = [];
  for (let id = graph.stopTiming(stageId).waitsLongestFor; id !== undefined; ) {
    chain.push(id);
    id = graph.stopTiming(id).waitsLongestFor;
  }
  return chain;
}

function unblock(graph: LintGraph, blockerStage: string, acceptorStage: string): string {
  const blockers = new Set(graph.stopStage(blockerStage).members);
  const waiting = new Set(graph.stopStage(acceptorStage).members);
  const edges = graph.plan.stop.edges.filter(
    (candidate) => blockers.has(candidate.from) && waiting.has(candidate.to),
  );
  if (edges.length === 0)
    return `remove what makes stage "${acceptorStage}" wait for stage "${blockerStage}"`;
  return edges
    .map((edge) =>
      edge.reason === 'after'
        ? `drop "${edge.from}" from the stop.after of "${edge.to}"`
        : `"${edge.from}" started after "${edge.to}", so by default it stops first: declare stop: { alongside: ['${edge.to}'] } on "${edge.from}"`,
    )
    .join('; ');
}
