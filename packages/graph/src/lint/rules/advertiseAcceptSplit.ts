import { formatDuration } from '@kas/core';
import { defineLintRule } from '../defineLintRule.js';
import type { LintGraph } from '../LintGraph.js';
import type { LintFindingDraft } from '../LintRule.js';

/** An advertiser and an acceptor of one resource must stop as one stage. */
export const advertiseAcceptSplit = defineLintRule({
  code: 'KAS_ADVERTISE_ACCEPT_SPLIT',
  title: 'advertise/accept split',
  severity: 'error',
  summary:
    'a module that advertises a resource stops in a different stop stage from a module that accepts it',
  rationale:
    'The advertisement tells other replicas "send work for this resource here"; the acceptor is what lets clients bring the resource. ' +
    'If the advertisement is withdrawn while the acceptor still accepts, clients stay connected to a replica no other replica can find ' +
    '(the kas outage: the tunnel tracker withdrew the tunnels, the agent gRPC server kept the agents for the whole proxy drain). ' +
    'If the acceptor stops first, other replicas keep sending work to a replica that no longer has the resource. ' +
    'Both must happen at one moment: the two modules must be in one stop stage ("with").',
  example: [
    "agentGrpcServer = defineModule({ name: 'agent-grpc-server', accepts: ['agent-tunnels'], stop: { after: ['kube-proxy', 'tunnel-tracker'] }, ... })",
    "tunnelTracker = defineModule({ name: 'tunnel-tracker', advertises: ['agent-tunnels'], stop: { alongside: ['kube-proxy'] }, ... })",
    '-> "tunnel-tracker" advertises agent-tunnels and "agent-grpc-server" accepts them, but they stop in different stages: the advertisement is withdrawn up to 1h before "agent-grpc-server" stops accepting',
  ].join('\n'),
  fix: "declare stop: { with: [<acceptor>] } on the advertiser (in the module, or in the app's overrides), and remove relations that order the two",
  *check(graph) {
    for (const tag of graph.tags) {
      for (const advertiser of graph.modulesWith('advertises', tag)) {
        for (const acceptor of graph.modulesWith('accepts', tag)) {
          if (advertiser.name === acceptor.name) continue;
          const advertiserStage = graph.stopStageOf(advertiser.name).id;
          const acceptorStage = graph.stopStageOf(acceptor.name).id;
          if (advertiserStage === acceptorStage) continue;
          yield split(graph, tag, advertiser.name, acceptor.name, advertiserStage, acceptorStage);
        }
      }
    }
  },
});

function split(
  graph: LintGraph,
  tag: string,
  advertiser: string,
  acceptor: string,
  advertiserStage: string,
  acceptorStage: string,
): LintFindingDraft {
  const lag = (first: string, second: string) =>
    formatDuration(graph.stopTiming(second).latestBeginMs - graph.stopTiming(first).latestBeginMs);
  const consequence = graph.stopsAfter(acceptor, advertiser)
    ? `the advertisement is withdrawn up to ${lag(advertiserStage, acceptorStage)} before "${acceptor}" stops accepting: clients stay on a replica no other replica can find`
    : graph.stopsAfter(advertiser, acceptor)
      ? `"${acceptor}" stops accepting up to ${lag(acceptorStage, advertiserStage)} before the advertisement is withdrawn: other replicas keep sending work here`
      : 'nothing ties the moment the advertisement is withdrawn to the moment accepting stops';
  return {
    message: `"${advertiser}" advertises ${tag} and "${acceptor}" accepts them, but they stop in different stages: ${consequence}`,
    fix: `declare stop: { with: ['${acceptor}'] } on "${advertiser}" (in the module or the app's overrides) and drop relations that order the two`,
    modules: [advertiser, acceptor],
  };
}
