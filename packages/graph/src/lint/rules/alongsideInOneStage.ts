import { formatDuration } from '@kas/core';
import { defineLintRule } from '../defineLintRule.js';
import type { LintGraph } from '../LintGraph.js';
import { listSome } from '../listSome.js';

/** Above this many `with` declarations in one stage, the joiners are not searched for (it is quadratic). */
const MOST_CANDIDATES = 200;

/**
 * Two modules declared `alongside` stop on their own, in no order; `with` declarations elsewhere can still
 * put them into one stage, where they share one drain budget and the stage ends only when both have.
 */
export const alongsideInOneStage = defineLintRule({
  code: 'KAS_ALONGSIDE_IN_ONE_STAGE',
  title: 'alongside modules joined into one stage',
  severity: 'error',
  summary:
    'modules declared alongside (each its own stage, in no order) end up in one stop stage, joined by stop.with declarations',
  rationale:
    'alongside says that two modules stop at the same time but each on its own: kas declares it for the agent edge and the kube proxy, so the agents get GOAWAY at once while the proxy drains its requests for up to an hour with its own budget. ' +
    'A stop.with that names modules of both (a module that wants to stop with each) merges them into one stage. The stage has one drain budget, the longest of its members, and is cut as a whole: a shorter budget no longer cuts its module, and whatever stops after the stage waits for all of them. ' +
    'Nothing warns at run time; the plan just has one stage where the declarations asked for two.',
  example: [
    "defineModule({ name: 'audit-flush', stop: { with: ['kube-proxy', 'agent-grpc-server'] }, ... })",
    '-> the stop.with of "audit-flush" joins modules declared alongside into one stop stage (budget 1h 10s): "kube-proxy" and "agent-grpc-server", ...; "kube-proxy" is cut only at the stage\'s budget, not at its own 1h, and what stops after the stage waits for all of them',
  ].join('\n'),
  fix: 'let a stop.with name modules of only one of the stages; to begin stopping after all of them, declare stop: { after: [...] } naming them instead',
  *check(graph) {
    const pairsByStage = new Map<string, [string, string][]>();
    const seen = new Set<string>();
    for (const module of graph.plan.modules) {
      for (const other of module.stop.alongside ?? []) {
        const stage = graph.stopStageOf(module.name).id;
        if (graph.stopStageOf(other).id !== stage) continue;
        const key = [module.name, other].sort().join('\u0000');
        if (seen.has(key)) continue;
        seen.add(key);
        const inStage = pairsByStage.get(stage);
        if (inStage === undefined) pairsByStage.set(stage, [[module.name, other]]);
        else inStage.push([module.name, other]);
      }
    }
    for (const [stageId, pairs] of pairsByStage) {
      const stage = graph.stopStage(stageId);
      const joiners = joinersOf(graph, stage.members, pairs);
      const by =
        joiners === undefined
          ? 'stop.with declarations join'
          : `the stop.with of ${quoteAll(joiners)} ${joiners.length === 1 ? 'joins' : 'join'}`;
      const paired = listSome(pairs.map(([a, b]) => `"${a}" and "${b}"`));
      const inPairs = [...new Set(pairs.flat())];
      const cutLate = inPairs
        .map((name) => graph.module(name))
        .filter((planned) => planned.drainBudgetMs < stage.drainBudgetMs)
        .map(
          (planned) =>
            `"${planned.name}" is cut only at the stage's budget, not at its own ${formatDuration(planned.drainBudgetMs)}`,
        );
      yield {
        message: `${by} modules declared alongside into one stop stage (budget ${formatDuration(stage.drainBudgetMs)}): ${paired}; ${[...(cutLate.length > 0 ? [listSome(cutLate, '; ')] : []), 'what stops after the stage waits for all of them'].join('; ')}`,
        fix:
          joiners === undefined
            ? 'let each stop.with in this stage name modules of only one side of each pair, or declare stop: { after: [...] } to stop after them'
            : `let the stop.with of ${quoteAll(joiners)} name modules of only one side (e.g. only "${pairs[0]?.[0]}", or only "${pairs[0]?.[1]}"), or declare stop: { after: [...] } naming them to stop after both`,
        modules: [...inPairs, ...(joiners ?? [])],
      };
    }
  },
});

const quoteAll = (names: readonly string[]) => listSome(names.map((name) => `"${name}"`));

/**
 * The modules of the stage whose `with` declarations join what was declared apart: each one whose
 * declarations, taken away, would part every pair it is not itself in (a module's own `with` to one
 * side, kube proxy's private API say, is not one). When no single module does (two of them join the
 * same stages), the modules declaring `with` that are in no pair. Undefined when there are too many
 * declarations to search.
 */
function joinersOf(
  graph: LintGraph,
  members: readonly string[],
  pairs: readonly [string, string][],
): string[] | undefined {
  const inStage = new Set(members);
  const declared = members.filter((member) => (graph.module(member).stop.with ?? []).length > 0);
  if (declared.length > MOST_CANDIDATES) return undefined;
  const edges = declared.flatMap((member) =>
    (graph.module(member).stop.with ?? [])
      .filter((other) => inStage.has(other))
      .map((other) => ({ from: member, to: other })),
  );
  const single = declared.filter((candidate) => {
    const others = pairs.filter((pair) => !pair.includes(candidate));
    if (others.length === 0) return false;
    const root = new Map<string, string>();
    const find = (name: string): string => {
      let at = name;
      for (let next = root.get(at); next !== undefined && next !== at; next = root.get(at)) at = next;
      return at;
    };
    for (const { from, to } of edges) {
      if (from === candidate) continue;
      const a = find(from);
      const b = find(to);
      if (a !== b) root.set(a, b);
    }
    return others.every(([a, b]) => find(a) !== find(b));
  });
  if (single.length > 0) return single;
  const inPairs = new Set(pairs.flat());
  const outside = declared.filter((member) => !inPairs.has(member));
  return outside.length > 0 ? outside : undefined;
}
