import { defineLintRule } from '../defineLintRule.js';
import type { ResourceRole } from '../LintGraph.js';
import { closestTag } from './closestTag.js';

/** A resource tag that only one side mentions checks nothing, and is often a typo. */
export const orphanTag = defineLintRule({
  code: 'KAS_ORPHAN_TAG',
  title: 'orphan tag',
  severity: 'warn',
  summary: 'a module uses, observes or advertises a resource that no module accepts (or advertises)',
  rationale:
    'Resource tags exist for the linter: KAS_ADVERTISE_ACCEPT_SPLIT pairs advertisers with acceptors, KAS_USE_OUTLIVES_OWNER pairs users with owners. ' +
    'A use or an advertisement with no owner pairs with nothing, so those rules stay silent: usually a misspelt tag ("agent-tunnel" for "agent-tunnels"), ' +
    'or a module composed without the module that owns what it uses. A tag that only an acceptor names is fine: a module with a listener of its own ' +
    'declares accepts for it, and KAS_ACCEPTOR_BEHIND_DRAIN checks every acceptor. A tag within two edits of another one is reported by KAS_MISSPELT_TAG instead.',
  example: [
    "auditSink = defineModule({ name: 'audit-sink', uses: ['audit-bucket'], ... })",
    '-> "audit-sink" uses audit-bucket, which no module accepts or advertises',
  ].join('\n'),
  fix: 'correct the tag, compose the module that owns the resource, or remove a tag that nothing else names',
  *check(graph) {
    for (const tag of graph.tags) {
      const has = (role: ResourceRole) => graph.modulesWith(role, tag);
      const isUnowned = has('accepts').length === 0 && has('advertises').length === 0;
      const isUnaccepted = has('accepts').length === 0 && has('advertises').length > 0;
      if (!isUnowned && !isUnaccepted) continue;
      // A tag within two edits of another is reported as misspelt (KAS_MISSPELT_TAG, an error) instead.
      // Asked only of an orphan: the look-up indexes every tag of the graph, a tenth of a lint's time at
      // 10,000 modules, which a graph without orphans need not spend.
      if (closestTag(graph, tag) !== undefined) continue;
      if (isUnowned) {
        for (const user of [...has('uses'), ...has('observes')]) {
          const role = has('uses').includes(user) ? 'uses' : 'observes';
          yield {
            message: `"${user.name}" ${role} ${tag}, which no module accepts or advertises`,
            fix: `correct the tag, or compose the module that accepts ${tag}`,
            modules: [user.name],
          };
        }
      }
      if (isUnaccepted) {
        for (const advertiser of has('advertises')) {
          yield {
            message: `"${advertiser.name}" advertises ${tag}, which no module accepts`,
            fix: `correct the tag, or compose the module that accepts ${tag}`,
            modules: [advertiser.name],
          };
        }
      }
    }
  },
});
