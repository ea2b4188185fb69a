import { defineLintRule } from '../defineLintRule.js';

/**
 * A module that records the activity on a resource (`observes`) must begin its stop only after every
 * module that accepts, advertises or uses that resource has stopped: what they do while they drain is
 * activity too.
 */
export const observerStopsEarly = defineLintRule({
  code: 'KAS_OBSERVER_STOPS_EARLY',
  title: 'observer stops early',
  severity: 'error',
  summary:
    'a module that observes a resource may stop before a module that accepts, advertises or uses it has stopped',
  rationale:
    'An observer records what happens on a resource: an audit log of agent connections and proxied requests, say. ' +
    'The modules that serve the resource keep working while they drain (the kube proxy for up to an hour), so an observer that stops before them misses their last events: ' +
    'requests finished during the drain, agents disconnected by GOAWAY. By default a module stops before the modules it started after, which is the wrong way round for an observer; ' +
    'stop: { last: true } (or after: [...] naming each of them) puts it after all of them.',
  example: [
    "auditSink = defineModule({ name: 'audit-sink', observes: ['agent-tunnels'], needs: { activity: KasActivityToken }, ... }) // no stop declaration",
    '-> "audit-sink" observes agent-tunnels but may stop before "kube-proxy" (uses agent-tunnels) has stopped: it misses what happens while "kube-proxy" drains',
  ].join('\n'),
  fix: 'declare stop: { last: true } on the observer (it then stops after every module that does not declare last), or stop: { after: [...] } naming each module that serves the resource',
  *check(graph) {
    for (const tag of graph.tags) {
      const observers = graph.modulesWith('observes', tag);
      if (observers.length === 0) continue;
      const served = [
        ...graph.modulesWith('accepts', tag).map((module) => ({ module, role: 'accepts' })),
        ...graph.modulesWith('advertises', tag).map((module) => ({ module, role: 'advertises' })),
        ...graph.modulesWith('uses', tag).map((module) => ({ module, role: 'uses' })),
      ];
      for (const observer of observers) {
        for (const { module, role } of served) {
          if (module.name === observer.name || graph.stopsAfter(observer.name, module.name)) continue;
          yield {
            message: `"${observer.name}" observes ${tag} but may stop before "${module.name}" (${role} ${tag}) has stopped: it misses what happens while "${module.name}" drains`,
            fix: `declare stop: { last: true } on "${observer.name}", or add "${module.name}" to its stop.after${splitNote(observer)}`,
            modules: [observer.name, module.name],
          };
        }
      }
    }
  },
});

/**
 * An observer that also accepts connections must begin its stop at once as an acceptor and wait as an
 * observer: behind a long drain, either fix brings back the other rule's finding.
 */
function splitNote(observer: { readonly name: string; readonly accepts: readonly string[] }): string {
  if (observer.accepts.length === 0) return '';
  return `; "${observer.name}" also accepts ${observer.accepts.join(', ')}, and an acceptor must begin its stop at once (KAS_ACCEPTOR_BEHIND_DRAIN): if waiting puts it behind a long drain, make it two modules, one that accepts and one that observes with stop: { last: true }`;
}
