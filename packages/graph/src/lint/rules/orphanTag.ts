import { defineLintRule } from '../defineLintRule.js';
import type { LintGraph, ResourceRole } from '../LintGraph.js';

/** A resource tag that only one side mentions checks nothing, and is often a typo. */
export const orphanTag = defineLintRule({
  code: 'KAS_ORPHAN_TAG',
  title: 'orphan tag',
  severity: 'warn',
  summary:
    'a module uses or advertises a resource no module accepts (or advertises), or accepts one that no other module advertises or uses',
  rationale:
    'Resource tags exist for the linter: KAS_ADVERTISE_ACCEPT_SPLIT pairs advertisers with acceptors, KAS_USE_OUTLIVES_OWNER pairs users with owners. ' +
    'A tag with no counterpart pairs with nothing, so those rules stay silent: usually a misspelt tag ("agent-tunnel" for "agent-tunnels"), ' +
    'or a module composed without the module that owns what it uses.',
  example: [
    "tunnelTracker = defineModule({ name: 'tunnel-tracker', advertises: ['agent-tunnel'], ... })",
    "agentGrpcServer = defineModule({ name: 'agent-grpc-server', accepts: ['agent-tunnels'], ... })",
    '-> "tunnel-tracker" advertises agent-tunnel, which no module accepts (did you mean agent-tunnels?)',
  ].join('\n'),
  fix: 'correct the tag, compose the module that owns the resource, or remove a tag that nothing else names',
  *check(graph) {
    for (const tag of graph.tags) {
      const has = (role: ResourceRole) => graph.modulesWith(role, tag);
      let suggested: string | undefined;
      const hint = () => {
        suggested ??= suggestion(graph, tag);
        return suggested;
      };
      if (has('accepts').length === 0 && has('advertises').length === 0) {
        for (const user of has('uses')) {
          yield {
            message: `"${user.name}" uses ${tag}, which no module accepts or advertises${hint()}`,
            fix: `correct the tag, or compose the module that accepts ${tag}`,
            modules: [user.name],
          };
        }
      }
      if (has('accepts').length === 0) {
        for (const advertiser of has('advertises')) {
          yield {
            message: `"${advertiser.name}" advertises ${tag}, which no module accepts${hint()}`,
            fix: `correct the tag, or compose the module that accepts ${tag}`,
            modules: [advertiser.name],
          };
        }
      }
      if (has('advertises').length === 0 && has('uses').length === 0) {
        for (const acceptor of has('accepts')) {
          yield {
            message: `"${acceptor.name}" accepts ${tag}, which no other module advertises or uses${hint()}`,
            fix: `correct the tag, or remove it: no rule can check a resource only one side names`,
            modules: [acceptor.name],
          };
        }
      }
    }
  },
});

/** `" (did you mean x?)"` for the closest other tag within two edits, else `""`. */
function suggestion(graph: LintGraph, tag: string): string {
  let best: { tag: string; distance: number } | undefined;
  for (const other of graph.tags) {
    if (other === tag) continue;
    const distance = editDistance(tag, other);
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { tag: other, distance };
  }
  return best === undefined ? '' : ` (did you mean ${best.tag}?)`;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(substitution, (previous[j] as number) + 1, (current[j - 1] as number) + 1));
    }
    previous = current;
  }
  return previous[b.length] as number;
}
