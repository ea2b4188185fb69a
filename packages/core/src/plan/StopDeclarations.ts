import type { GraphProblem } from '../errors/GraphError.js';
import type { StopRelation } from '../module/ModuleDefinition.js';
import type { PlannedModule } from './AppPlan.js';

/** A pair of modules named in a stop declaration, with the relation; `after` reads "`module` after `other`". */
export interface NamedPair {
  readonly module: number;
  readonly other: number;
  readonly relation: StopRelation;
}

/**
 * A module as the subject of what its stop declaration says: `"name"`, and where the declaration comes
 * from when an override set it, so the reader looks there rather than in the module's code.
 */
export function declarerOf(module: PlannedModule | undefined): string {
  if (module === undefined) return '"?"';
  return module.stopSetBy === undefined
    ? `"${module.name}"`
    : `"${module.name}" (its stop set by ${module.stopSetBy})`;
}

/** The stop relations of an app, checked pair by pair. */
export interface StopDeclarations {
  readonly pairs: readonly NamedPair[];
  /** For each module, the modules it shares a named pair with (from either side): the default does not apply to them. */
  readonly named: readonly ReadonlySet<number>[];
  readonly problems: readonly GraphProblem[];
}

/**
 * Collects the stop relations of every module and reports pairs named twice with relations that cannot
 * both hold (`with` and `after`, or `after` both ways), modules that name themselves, and an `after` on a
 * module that declares `last` by one that does not (the last module would then not stop last).
 */
export function collectStopDeclarations(modules: readonly PlannedModule[]): StopDeclarations {
  const indexOf = new Map(modules.map((module, index) => [module.name, index]));
  const declared = new Map<string, NamedPair>();
  const named = modules.map(() => new Set<number>());
  const pairs: NamedPair[] = [];
  const problems: GraphProblem[] = [];

  modules.forEach((module, index) => {
    for (const relation of ['with', 'alongside', 'after'] as const) {
      for (const name of new Set(module.stop[relation] ?? [])) {
        const other = indexOf.get(name);
        if (other === undefined) continue; // reported as KAS_UNKNOWN_MODULE
        if (other === index) {
          problems.push({
            code: 'KAS_STOP_CONTRADICTION',
            message: `${declarerOf(module)} names itself in stop.${relation}`,
            fix: `remove "${module.name}" from its own stop.${relation}`,
            modules: [module.name],
          });
          continue;
        }
        if (relation === 'after' && module.stop.last !== true && modules[other]?.stop.last === true) {
          problems.push(afterLastContradiction(module, modules[other] as PlannedModule));
        }
        const pair: NamedPair = { module: index, other, relation };
        const key = index < other ? `${index}:${other}` : `${other}:${index}`;
        const earlier = declared.get(key);
        if (earlier === undefined) {
          declared.set(key, pair);
          named[index]?.add(other);
          named[other]?.add(index);
          pairs.push(pair);
          continue;
        }
        const isSameClaim = earlier.relation === relation && relation !== 'after';
        if (!isSameClaim) problems.push(contradiction(modules, earlier, pair));
      }
    }
  });
  return { pairs, named, problems };
}

function contradiction(modules: readonly PlannedModule[], first: NamedPair, second: NamedPair): GraphProblem {
  const name = (index: number) => modules[index]?.name ?? '?';
  const say = (pair: NamedPair) =>
    `${declarerOf(modules[pair.module])} declares ${pair.relation}: ["${name(pair.other)}"]`;
  const isMutualAfter =
    first.relation === 'after' && second.relation === 'after' && first.module !== second.module;
  return {
    code: 'KAS_STOP_CONTRADICTION',
    message: isMutualAfter
      ? `${say(first)} and ${say(second)}: each would wait for the other to stop`
      : `${say(first)} and ${say(second)}: a pair of modules may have only one stop relation`,
    fix: isMutualAfter
      ? `drop one of the two "after"s (keep it on the module that must stop last), or declare "with" (one stage) or "alongside" (no order) instead`
      : 'keep one relation for this pair: "with" (one stage), "alongside" (no order) or "after" (one waits for the other)',
    modules: [name(first.module), name(first.other)],
  };
}

/**
 * `last` on one module and `after: [it]` on another that does not declare `last`: the module that
 * declares `last` would stop before it, so one of the two declarations does not hold. (Between two
 * modules that both declare `last`, an `after` orders them and contradicts nothing.)
 */
function afterLastContradiction(declaring: PlannedModule, lastModule: PlannedModule): GraphProblem {
  const module = declaring.name;
  const last = lastModule.name;
  return {
    code: 'KAS_STOP_CONTRADICTION',
    message: `${declarerOf(lastModule)} declares stop: { last: true } (stop after every module that does not declare last), but ${declarerOf(declaring)} declares stop: { after: ["${last}"] } (stop after "${last}"): both cannot hold`,
    fix: `drop one of them: remove "${last}" from the stop.after of "${module}", or drop last on "${last}" (and name in its stop.after the modules it must stop after); if "${module}" must stop after "${last}" and after everything else, declare stop: { last: true } on "${module}" too`,
    modules: [last, module],
  };
}
