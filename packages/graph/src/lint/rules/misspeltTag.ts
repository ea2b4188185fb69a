import { defineLintRule } from '../defineLintRule.js';
import type { LintGraph, ResourceRole } from '../LintGraph.js';
import { closestTag } from './closestTag.js';

const ROLES: readonly ResourceRole[] = ['accepts', 'advertises', 'uses', 'observes'];

/**
 * A tag that only one side names and that is within two edits of another tag is a typo: in TypeScript the
 * packages' `createResourceTag` constants make it a compile error, in JavaScript (plain strings) this rule
 * makes it a lint error.
 */
export const misspeltTag = defineLintRule({
  code: 'KAS_MISSPELT_TAG',
  title: 'misspelt tag',
  severity: 'error',
  summary:
    'a resource tag has no counterpart (nothing accepts, advertises or uses it besides one side) and is within two edits of a tag that has one',
  rationale:
    'A misspelt tag pairs with nothing, so the rules that check the resource (KAS_ADVERTISE_ACCEPT_SPLIT, KAS_USE_OUTLIVES_OWNER) stay silent about the module that misspelt it: the declaration says it is safe and nothing checks it. ' +
    'TypeScript modules name tags with the constants packages export (AGENT_TUNNELS), where a typo does not compile; plain strings (JavaScript, config) get this error instead.',
  example: [
    "tunnelTracker = defineModule({ name: 'tunnel-tracker', advertises: ['agent-tunnel'], ... })",
    "agentGrpcServer = defineModule({ name: 'agent-grpc-server', accepts: ['agent-tunnels'], ... })",
    '-> "tunnel-tracker" advertises agent-tunnel, which no other module names: did you mean agent-tunnels?',
  ].join('\n'),
  fix: "correct the tag; in TypeScript, name it with the owning package's constant (e.g. AGENT_TUNNELS) so a typo does not compile",
  *check(graph) {
    for (const tag of graph.tags) {
      if (!isOrphan(graph, tag)) continue;
      const suggested = closestTag(graph, tag);
      if (suggested === undefined) continue;
      for (const role of ROLES) {
        for (const module of graph.modulesWith(role, tag)) {
          yield {
            message: `"${module.name}" ${role} ${tag}, which no other module names: did you mean ${suggested}?`,
            fix: `write ${suggested} (or the constant its package exports)`,
            modules: [module.name],
          };
        }
      }
    }
  },
});

/** Whether a tag lacks the counterpart KAS_ORPHAN_TAG looks for. */
function isOrphan(graph: LintGraph, tag: string): boolean {
  const count = (role: ResourceRole) => graph.modulesWith(role, tag).length;
  const owners = count('accepts') + count('advertises');
  if (count('uses') + count('observes') > 0 && owners === 0) return true;
  if (count('advertises') > 0 && count('accepts') === 0) return true;
  return count('accepts') > 0 && count('advertises') === 0 && count('uses') === 0;
}
