import type { PlannedModule } from '@kas/core';
import { formatDuration } from '@kas/core';
import { defineLintRule } from '../defineLintRule.js';
import type { LintGraph } from '../LintGraph.js';
import type { LintFindingDraft } from '../LintRule.js';

/** In-flight work that uses a resource must not outlive the drain of the resource's owner. */
export const useOutlivesOwner = defineLintRule({
  code: 'KAS_USE_OUTLIVES_OWNER',
  title: 'use outlives owner',
  severity: 'error',
  summary:
    "a module's in-flight work uses a resource whose owner may stop, or be cut at its drain budget, before that work's drain ends",
  rationale:
    'The owner of a resource is the module that accepts it (when no module accepts it: the modules that advertise it). ' +
    'An owner keeps in-flight uses of its resource while it drains (a gRPC server lets busy streams finish after GOAWAY), ' +
    'but only until its drain budget, when it is cut. A user drains until its own budget. ' +
    'The rule takes the worst case the stop plan allows: the owner begins stopping as early as it can, the user as late as it can ' +
    '(every stage the user waits for, and the owner does not, taking its whole budget), and fires when the user may still drain after the owner is cut. ' +
    'It also fires when the user begins stopping only after the owner has stopped. It does not fire when the owner stops after the user.',
  example: [
    "agentGrpcServer = defineModule({ name: 'agent-grpc-server', accepts: ['agent-tunnels'], drainBudget: '10s', ... })",
    "kubeProxy = defineModule({ name: 'kube-proxy', uses: ['agent-tunnels'], drainBudget: '1h', stop: { alongside: ['agent-grpc-server'] }, ... })",
    '-> "kube-proxy" uses agent-tunnels of "agent-grpc-server" and may drain until 1h after "agent-grpc-server" begins stopping, but "agent-grpc-server" is cut at its drain budget of 10s',
  ].join('\n'),
  fix: "give the owner a drain budget at least as long as the user's worst-case drain (its stop keeps in-flight uses until then), or stop the owner after the user",
  *check(graph) {
    const relations = new Map<string, OwnerRelations>();
    const position = new Map(graph.plan.stop.stages.map((stage, index) => [stage.id, index]));
    for (const tag of graph.tags) {
      const acceptors = graph.modulesWith('accepts', tag);
      const owners = acceptors.length > 0 ? acceptors : graph.modulesWith('advertises', tag);
      for (const user of graph.modulesWith('uses', tag)) {
        for (const owner of owners) {
          if (owner.name === user.name) continue;
          const ownerStage = graph.stopStageOf(owner.name).id;
          let ofOwner = relations.get(ownerStage);
          if (ofOwner === undefined) {
            ofOwner = new OwnerRelations(graph, ownerStage, position);
            relations.set(ownerStage, ofOwner);
          }
          const finding = compare(tag, owner, user, ofOwner.of(graph.stopStageOf(user.name).id));
          if (finding !== undefined) yield finding;
        }
      }
    }
  },
});

/** How a stage relates to the owner's stage: it stops before it, after it, or concurrently with a worst-case lag. */
type Relation =
  | { readonly kind: 'before' }
  | { readonly kind: 'after' }
  | { readonly kind: 'concurrent'; readonly lagMs: number };

/**
 * The relation of stages to one owner's stage, computed on demand. For a concurrent stage, the lag is the
 * longest chain of drain budgets leading to it through stages that do not precede the owner: in the
 * worst case those take their whole budgets while every stage before the owner completes at once.
 */
class OwnerRelations {
  readonly #known = new Map<string, Relation>();
  #before: ReadonlySet<string> | undefined;

  constructor(
    private readonly graph: LintGraph,
    private readonly ownerStage: string,
    /** Stage positions in the plan's topological order: a stage's ancestors come before it. */
    private readonly position: ReadonlyMap<string, number>,
  ) {
    this.#known.set(ownerStage, { kind: 'concurrent', lagMs: 0 });
  }

  of(stageId: string): Relation {
    if (!this.#known.has(stageId) && this.#precedesOwner(stageId))
      this.#known.set(stageId, { kind: 'before' });
    const pending = [stageId];
    while (pending.length > 0) {
      const id = pending[pending.length - 1] as string;
      if (this.#known.has(id)) {
        pending.pop();
        continue;
      }
      if (this.#isBeforeOwner(id)) {
        this.#known.set(id, { kind: 'before' });
        pending.pop();
        continue;
      }
      const follows = this.graph.stopStage(id).follows;
      const unknown = follows.filter((previous) => !this.#known.has(previous));
      if (unknown.length > 0) {
        pending.push(...unknown);
        continue;
      }
      this.#known.set(id, this.#relate(follows));
      pending.pop();
    }
    return this.#known.get(stageId) as Relation;
  }

  /**
   * Whether the owner waits for `stageId`, searching back from the owner only through stages placed
   * after `stageId` in topological order (no other stage can lead to it): cheap when the user is near.
   */
  #precedesOwner(stageId: string): boolean {
    const floor = this.position.get(stageId) ?? 0;
    if (floor >= (this.position.get(this.ownerStage) ?? 0)) return false;
    const seen = new Set<string>();
    const pending = [this.ownerStage];
    for (let id = pending.pop(); id !== undefined; id = pending.pop()) {
      for (const previous of this.graph.stopStage(id).follows) {
        if (previous === stageId) return true;
        if ((this.position.get(previous) ?? 0) > floor && !seen.has(previous)) {
          seen.add(previous);
          pending.push(previous);
        }
      }
    }
    return false;
  }

  #isBeforeOwner(stageId: string): boolean {
    if ((this.position.get(stageId) ?? 0) > (this.position.get(this.ownerStage) ?? 0)) return false;
    this.#before ??= this.graph.stagesBefore(this.ownerStage);
    return this.#before.has(stageId);
  }

  #relate(follows: readonly string[]): Relation {
    let lagMs = 0;
    for (const previous of follows) {
      const relation = this.#known.get(previous) as Relation;
      if (previous === this.ownerStage || relation.kind === 'after') return { kind: 'after' };
      if (relation.kind === 'concurrent')
        lagMs = Math.max(lagMs, relation.lagMs + this.graph.stopStage(previous).drainBudgetMs);
    }
    return { kind: 'concurrent', lagMs };
  }
}

function compare(
  tag: string,
  owner: PlannedModule,
  user: PlannedModule,
  relation: Relation,
): LintFindingDraft | undefined {
  if (relation.kind === 'before') return undefined;
  if (relation.kind === 'after') {
    return {
      message: `"${user.name}" uses ${tag} of "${owner.name}" but begins stopping only after "${owner.name}" has stopped: its work keeps using ${tag} that are gone`,
      fix: `let "${user.name}" stop before "${owner.name}": drop the relations that make it wait (e.g. a stop.after naming "${owner.name}"), or declare stop: { alongside: ['${owner.name}'] }`,
      modules: [user.name, owner.name],
    };
  }
  const userEndsMs = relation.lagMs + user.drainBudgetMs;
  if (userEndsMs <= owner.drainBudgetMs) return undefined;
  return {
    message: `"${user.name}" uses ${tag} of "${owner.name}" and may drain until ${formatDuration(userEndsMs)} after "${owner.name}" begins stopping, but "${owner.name}" is cut at its drain budget of ${formatDuration(owner.drainBudgetMs)}: in-flight work loses ${tag}`,
    fix: `give "${owner.name}" a drainBudget of at least ${formatDuration(userEndsMs)} (its stop keeps in-flight uses of ${tag} until then), or make it stop after "${user.name}"`,
    modules: [user.name, owner.name],
  };
}
