import fc from 'fast-check';
import {
  type AnyModule,
  type AppComposition,
  defineModule,
  type ModuleDefinition,
  type ModuleOverride,
  type StopRelation,
} from '../../src/index.js';

/** One stop relation: `module` declares `relation: [other]` (indices; `other` may be the module itself). */
export interface SpecRelation {
  readonly module: number;
  readonly other: number;
  readonly relation: StopRelation;
}

/** A module graph as plain indices, so a checker can reason about it without the resolver. */
export interface GraphSpec {
  readonly size: number;
  /** For each module, the modules it starts after (indices; a later index or itself makes a start cycle). */
  readonly startAfter: readonly (readonly number[])[];
  readonly relations: readonly SpecRelation[];
  /** Names in stop relations that are no module of the app. */
  readonly unknownNames: readonly { readonly module: number; readonly relation: StopRelation }[];
  /** Override drain budgets, some of them not durations. */
  readonly budgetOverrides: readonly { readonly module: number; readonly drainBudget: string }[];
  /** Modules composed a second time under the same name. */
  readonly duplicates: readonly number[];
}

/** How relations are picked: at random, or from the start graph so that every interesting case is common. */
export type RelationKind =
  | 'any'
  | 'redundant-after' // a module declares after a module that started after it: what it does by default
  | 'reversing-after' // a module declares after a module it started after: reverses the default
  | 'mutual-after'
  | 'with-dependency'
  | 'alongside-dependency'
  | 'alongside-ancestor';

interface RelationDraw {
  readonly kind: RelationKind;
  readonly module: number;
  readonly pick: number;
  readonly relation: StopRelation;
}

/** What the arbitrary may generate. */
export interface GraphSpecOptions {
  readonly minModules?: number;
  readonly maxModules: number;
  /** Allow start dependencies on later modules and on the module itself (start cycles). */
  readonly startCycles?: boolean;
  /** Allow unknown names, bad override budgets and duplicate names. */
  readonly invalidInput?: boolean;
  /** Which kinds of stop relations to draw. Default: all. */
  readonly relationKinds?: readonly RelationKind[];
  /** At most this many relation draws per module. Default 0.6, drawn with fast-check's small-size bias. */
  readonly relationsPerModule?: number;
}

const RELATION_KINDS: readonly RelationKind[] = [
  'any',
  'redundant-after',
  'reversing-after',
  'mutual-after',
  'with-dependency',
  'alongside-dependency',
  'alongside-ancestor',
];

/** An arbitrary of random graphs: start DAGs (deep and wide), `with`, `alongside`, redundant and contradictory `after`. */
export function graphSpecArbitrary(options: GraphSpecOptions): fc.Arbitrary<GraphSpec> {
  return fc.integer({ min: options.minModules ?? 1, max: options.maxModules }).chain((size) => {
    // A near dependency (one of the three modules before) makes deep graphs: long chains with cross links;
    // far ones (any module before) make wide graphs. How likely a module has a near one is drawn per graph.
    const moduleDependencies = fc.record({
      nearDraw: fc.nat({ max: 9 }),
      near: fc.nat(),
      far: fc.array(fc.nat(), { maxLength: 2 }),
    });
    const relationDraw: fc.Arbitrary<RelationDraw> = fc.record({
      kind: fc.constantFrom<RelationKind>(...(options.relationKinds ?? RELATION_KINDS)),
      module: fc.nat({ max: size - 1 }),
      pick: fc.nat(),
      relation: fc.constantFrom<StopRelation>('with', 'alongside', 'after'),
    });
    const index = fc.nat({ max: size - 1 });
    return fc
      .record({
        nearTenths: fc.constantFrom(0, 5, 9, 10),
        dependencies: fc.array(moduleDependencies, { minLength: size, maxLength: size }),
        backEdges: options.startCycles
          ? fc.array(fc.tuple(index, index), { maxLength: 2 })
          : fc.constant<[number, number][]>([]),
        draws:
          options.relationsPerModule === undefined
            ? fc.array(relationDraw, { maxLength: Math.max(1, Math.ceil(size * 0.6)) })
            : fc.array(relationDraw, {
                maxLength: Math.max(1, Math.ceil(size * options.relationsPerModule)),
                size: 'max',
              }),
        unknownNames: options.invalidInput
          ? fc.array(
              fc.record({
                module: index,
                relation: fc.constantFrom<StopRelation>('with', 'alongside', 'after'),
              }),
              { maxLength: 1 },
            )
          : fc.constant([]),
        budgetOverrides: options.invalidInput
          ? fc.array(fc.record({ module: index, drainBudget: fc.constantFrom('10s', '1h', 'soon', '-5s') }), {
              maxLength: 1,
            })
          : fc.constant([]),
        duplicates: options.invalidInput ? fc.array(index, { maxLength: 1 }) : fc.constant([]),
      })
      .map(({ nearTenths, dependencies, backEdges, draws, unknownNames, budgetOverrides, duplicates }) => {
        const startAfter = dependencies.map(({ nearDraw, near, far }, module) => {
          if (module === 0) return [];
          const list = far.map((value) => value % module);
          if (nearDraw < nearTenths) list.unshift(module - 1 - (near % Math.min(module, 3)));
          return [...new Set(list)];
        });
        for (const [module, other] of backEdges) startAfter[module] = [...(startAfter[module] ?? []), other];
        return {
          size,
          startAfter,
          relations: draws.flatMap((draw) => drawRelations(draw, startAfter, size)),
          unknownNames,
          budgetOverrides,
          duplicates,
        };
      });
  });
}

function drawRelations(
  draw: RelationDraw,
  startAfter: readonly (readonly number[])[],
  size: number,
): SpecRelation[] {
  const dependencies = startAfter[draw.module] ?? [];
  const dependency = dependencies.length === 0 ? undefined : dependencies[draw.pick % dependencies.length];
  switch (draw.kind) {
    case 'any':
      return [{ module: draw.module, other: draw.pick % size, relation: draw.relation }];
    case 'redundant-after':
      return dependency === undefined ? [] : [{ module: dependency, other: draw.module, relation: 'after' }];
    case 'reversing-after':
      return dependency === undefined ? [] : [{ module: draw.module, other: dependency, relation: 'after' }];
    case 'mutual-after':
      return dependency === undefined
        ? []
        : [
            { module: draw.module, other: dependency, relation: 'after' },
            { module: dependency, other: draw.module, relation: 'after' },
          ];
    case 'with-dependency':
      return dependency === undefined ? [] : [{ module: draw.module, other: dependency, relation: 'with' }];
    case 'alongside-dependency':
      return dependency === undefined
        ? []
        : [{ module: draw.module, other: dependency, relation: 'alongside' }];
    case 'alongside-ancestor': {
      const grandparents = dependency === undefined ? [] : (startAfter[dependency] ?? []);
      const ancestor = grandparents.length === 0 ? undefined : grandparents[draw.pick % grandparents.length];
      return ancestor === undefined ? [] : [{ module: draw.module, other: ancestor, relation: 'alongside' }];
    }
    default: {
      const unhandled: never = draw.kind;
      throw new Error(`unknown relation kind ${unhandled}`);
    }
  }
}

/** The module name of an index. */
export const moduleName = (index: number): string => `m${index}`;

/** A module that starts and stops at once. */
function idleModule(
  declaration: Pick<ModuleDefinition, 'name' | 'startAfter' | 'stop' | 'drainBudget'>,
): AnyModule {
  const module = defineModule({
    ...declaration,
    create: () => ({ start: async () => {}, stop: async () => {} }),
  });
  return module;
}

/** Builds the composition a spec describes, with modules that do nothing. */
export function toComposition(spec: GraphSpec): AppComposition {
  const modules: AnyModule[] = Array.from({ length: spec.size }, (_, module) => {
    const stop: Record<StopRelation, string[]> = { with: [], alongside: [], after: [] };
    for (const relation of spec.relations) {
      if (relation.module === module) stop[relation.relation].push(moduleName(relation.other));
    }
    for (const unknown of spec.unknownNames) {
      if (unknown.module === module) stop[unknown.relation].push('ghost');
    }
    return idleModule({
      name: moduleName(module),
      startAfter: (spec.startAfter[module] ?? []).map(moduleName),
      stop,
      drainBudget: `${1 + (module % 7)}s`,
    });
  });
  for (const duplicate of spec.duplicates) {
    modules.push(idleModule({ name: moduleName(duplicate) }));
  }
  const overrides: Record<string, ModuleOverride> = {};
  for (const { module, drainBudget } of spec.budgetOverrides) {
    const declared = modules[module]?.stop;
    overrides[moduleName(module)] = {
      drainBudget: drainBudget as ModuleOverride['drainBudget'] & string,
      ...(declared === undefined ? {} : { stop: declared }),
    };
  }
  return { modules, overrides };
}
