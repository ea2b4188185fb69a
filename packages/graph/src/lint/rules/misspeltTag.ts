import { defineLintRule } from '../defineLintRule.js';
import type { LintGraph, ResourceRole } from '../LintGraph.js';
import type { LintFindingDraft } from '../LintRule.js';
import { closestTag } from './closestTag.js';
import { KAS_RESOURCE_TAGS } from './kasResourceTags.js';

/** Roles from the one that owns a resource to the one that depends on it most. */
const ROLES: readonly ResourceRole[] = ['accepts', 'advertises', 'uses', 'observes'];

/**
 * A tag that only one side names and that is within two edits of another tag is a typo: in TypeScript the
 * packages' `createResourceTag` constants make it a compile error, in JavaScript (plain strings) this rule
 * makes it a lint error. Each pair of spellings is reported once, on the side that is wrong.
 */
export const misspeltTag = defineLintRule({
  code: 'KAS_MISSPELT_TAG',
  title: 'misspelt tag',
  severity: 'error',
  summary:
    'a resource tag has no counterpart (nothing accepts, advertises or uses it besides one side) and is within two edits of another tag',
  rationale:
    'A misspelt tag pairs with nothing, so the rules that check the resource (KAS_ADVERTISE_ACCEPT_SPLIT, KAS_USE_OUTLIVES_OWNER) stay silent about the module that misspelt it: the declaration says it is safe and nothing checks it. ' +
    'TypeScript modules name tags with the constants packages export (AGENT_TUNNELS), where a typo does not compile; plain strings (JavaScript, config) get this error instead. ' +
    "The finding is on the side that is wrong: a tag of kas's own packages (agent-tunnels) is the right spelling, else a tag with a counterpart, else the one more modules name; " +
    'when nothing tells the two apart, the pair is reported once, on the module that depends on the resource, naming both.',
  example: [
    "tunnelTracker = defineModule({ name: 'tunnel-tracker', advertises: ['agent-tunnel'], ... })",
    "agentGrpcServer = defineModule({ name: 'agent-grpc-server', accepts: ['agent-tunnels'], ... })",
    '-> "tunnel-tracker" advertises agent-tunnel, which no other module names: did you mean agent-tunnels?',
  ].join('\n'),
  fix: "correct the tag; in TypeScript, name it with the owning package's constant (e.g. AGENT_TUNNELS) so a typo does not compile",
  *check(graph) {
    const reported = new Set<string>();
    for (const tag of graph.tags) {
      if (!isOrphan(graph, tag)) continue;
      const other = closestTag(graph, tag);
      if (other === undefined) continue;
      const pair = [tag, other].sort().join('\u0000');
      if (reported.has(pair)) continue;
      reported.add(pair);
      yield* misspelling(graph, tag, other);
    }
  },
});

/** The findings for two spellings of one resource: on the wrong one, or once on the pair when neither is. */
function* misspelling(graph: LintGraph, tag: string, other: string): Iterable<LintFindingDraft> {
  const order = compareSupport(support(graph, tag), support(graph, other));
  if (order !== 0) {
    const [wrong, right] = order < 0 ? [tag, other] : [other, tag];
    const why = isOrphan(graph, wrong)
      ? 'which no other module names'
      : `which kas's own modules write ${right}`;
    for (const { module, role } of declarations(graph, wrong)) {
      yield {
        message: `"${module}" ${role} ${wrong}, ${why}: did you mean ${right}?`,
        fix: `write ${right} (or the constant its package exports)`,
        modules: [module],
      };
    }
    return;
  }
  // Nothing tells the spellings apart: report the pair once, where the resource is depended on.
  const [first, second] = dependence(graph, other) > dependence(graph, tag) ? [other, tag] : [tag, other];
  const named = [first, second].flatMap((spelling) =>
    declarations(graph, spelling).map((declaration) => ({ ...declaration, spelling })),
  );
  const said = named.map(({ module, role, spelling }) => `"${module}" ${role} ${spelling}`);
  yield {
    message: `${said.slice(0, -1).join(', ')} and ${said.at(-1)}: one of the two tags is misspelt, so neither pairs with the other`,
    fix: `write one spelling in all of them, ${first} or ${second} (or the constant the owning package exports)`,
    modules: [...new Set(named.map(({ module }) => module))],
  };
}

/** How well a spelling is vouched for: a tag of kas's own packages, one with a counterpart, how many modules name it. */
function support(graph: LintGraph, tag: string): readonly number[] {
  return [
    KAS_RESOURCE_TAGS.includes(tag) ? 1 : 0,
    isOrphan(graph, tag) ? 0 : 1,
    new Set(declarations(graph, tag).map(({ module }) => module)).size,
  ];
}

function compareSupport(a: readonly number[], b: readonly number[]): number {
  for (let index = 0; index < a.length; index++) {
    const difference = (a[index] ?? 0) - (b[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** The highest role (in `ROLES` order) any module declares the tag in. */
function dependence(graph: LintGraph, tag: string): number {
  return Math.max(...declarations(graph, tag).map(({ role }) => ROLES.indexOf(role)));
}

/** Every module that names the tag, with the role, role by role. */
function declarations(
  graph: LintGraph,
  tag: string,
): readonly { readonly module: string; readonly role: ResourceRole }[] {
  return ROLES.flatMap((role) =>
    graph.modulesWith(role, tag).map((module) => ({ module: module.name, role })),
  );
}

/**
 * Whether a tag lacks a counterpart: what KAS_ORPHAN_TAG looks for, and a tag that only acceptors name
 * (legitimate alone, but within two edits of another tag more likely a typo).
 */
function isOrphan(graph: LintGraph, tag: string): boolean {
  const count = (role: ResourceRole) => graph.modulesWith(role, tag).length;
  const owners = count('accepts') + count('advertises');
  if (count('uses') + count('observes') > 0 && owners === 0) return true;
  if (count('advertises') > 0 && count('accepts') === 0) return true;
  return count('accepts') > 0 && count('advertises') === 0 && count('uses') === 0;
}
