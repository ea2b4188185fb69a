import type { AppPlan } from '../../src/index.js';
import { type GraphSpec, moduleName } from './graphSpec.js';

// An independent statement of the stop semantics, written for clarity over speed (every ordered pair is
// listed; closures are bigints with one bit per module), sharing no code with the resolver. Only for specs without start cycles, unknown names or duplicates.

/** Modules each module started after, directly or through others (depth-first over `startAfter`). */
export function ancestorsOf(spec: GraphSpec): Set<number>[] {
  const memo: (Set<number> | undefined)[] = [];
  const visit = (module: number): Set<number> => {
    const known = memo[module];
    if (known !== undefined) return known;
    const result = new Set<number>();
    for (const dependency of spec.startAfter[module] ?? []) {
      result.add(dependency);
      for (const ancestor of visit(dependency)) result.add(ancestor);
    }
    memo[module] = result;
    return result;
  };
  return Array.from({ length: spec.size }, (_, module) => visit(module));
}

/** One number per unordered pair of module indices (graphs here have far fewer than 100,000 modules). */
const pairKey = (a: number, b: number) => Math.min(a, b) * 100_000 + Math.max(a, b);

/** What the declarations say, pair by pair. */
export interface Declared {
  /** Pairs named by any relation, from either side. */
  readonly named: Set<number>;
  /** A pair named with relations that cannot both hold, or a module naming itself. */
  readonly hasDeclarationConflict: boolean;
  /** For each module, the representative of its `with` group. */
  readonly group: number[];
  /** Required orders "first stops before second": `after` and the start-order default. */
  readonly orders: [number, number][];
  readonly alongside: [number, number][];
}

/** Reads a spec's declarations the way DESIGN.md states them. */
export function readDeclarations(spec: GraphSpec): Declared {
  const claims = new Map<number, Set<string>>();
  let hasDeclarationConflict = false;
  const group = Array.from({ length: spec.size }, (_, module) => module);
  const root = (module: number): number =>
    group[module] === module ? module : root(group[module] as number);
  const orders: [number, number][] = [];
  const alongside: [number, number][] = [];
  for (const { module, other, relation } of spec.relations) {
    if (module === other) {
      hasDeclarationConflict = true;
      continue;
    }
    const claim = relation === 'after' ? `after ${module}>${other}` : relation;
    const key = pairKey(module, other);
    const pairClaims = claims.get(key) ?? new Set<string>();
    pairClaims.add(claim);
    claims.set(key, pairClaims);
    if (relation === 'with') group[root(module)] = root(other);
    if (relation === 'after') orders.push([other, module]);
    if (relation === 'alongside') alongside.push([module, other]);
  }
  for (const set of claims.values()) if (set.size > 1) hasDeclarationConflict = true;
  const named = new Set(claims.keys());
  ancestorsOf(spec).forEach((ancestors, module) => {
    for (const ancestor of ancestors) {
      if (!named.has(pairKey(module, ancestor))) orders.push([module, ancestor]);
    }
  });
  return {
    named,
    hasDeclarationConflict,
    group: group.map((_, module) => root(module)),
    orders,
    alongside,
  };
}

/** What the declarations allow. */
export interface StopVerdict {
  readonly isSatisfiable: boolean;
  readonly hasCycle: boolean;
  readonly declared: Declared;
  /** Whether group `first` must stop before group `second` begins (directly or through others). */
  readonly isOrdered: (first: number, second: number) => boolean;
}

/** Whether a valid stop plan exists for the spec, and whether the required orders form a cycle of groups. */
export function expectedStopVerdict(spec: GraphSpec): StopVerdict {
  const declared = readDeclarations(spec);
  const { group } = declared;
  const hasOrderInsideGroup = declared.orders.some(([first, second]) => group[first] === group[second]);
  const groups = [...new Set(group)];
  const successors = new Map<number, Set<number>>(groups.map((g) => [g, new Set<number>()]));
  for (const [first, second] of declared.orders) {
    const from = group[first] as number;
    const to = group[second] as number;
    if (from !== to) successors.get(from)?.add(to);
  }
  // Kahn: groups left over belong to (or wait behind) a cycle.
  const waitingOn = new Map<number, number>(groups.map((g) => [g, 0]));
  for (const targets of successors.values()) {
    for (const to of targets) waitingOn.set(to, (waitingOn.get(to) ?? 0) + 1);
  }
  const order = groups.filter((g) => waitingOn.get(g) === 0);
  for (let head = 0; head < order.length; head++) {
    for (const to of successors.get(order[head] as number) ?? []) {
      const left = (waitingOn.get(to) ?? 0) - 1;
      waitingOn.set(to, left);
      if (left === 0) order.push(to);
    }
  }
  const hasCycle = order.length < groups.length;
  // Everything each group must stop before, as a bigint with one bit per module index, last group first.
  const closure = new Map<number, bigint>();
  for (const g of [...order].reverse()) {
    let bits = 0n;
    for (const to of successors.get(g) ?? []) bits |= (1n << BigInt(to)) | (closure.get(to) ?? 0n);
    closure.set(g, bits);
  }
  const isOrdered = (first: number, second: number) =>
    ((closure.get(first) ?? 0n) & (1n << BigInt(second))) !== 0n;
  const isAlongsideOrdered = declared.alongside.some(([a, b]) => {
    const ga = group[a] as number;
    const gb = group[b] as number;
    return ga !== gb && (isOrdered(ga, gb) || isOrdered(gb, ga));
  });
  return {
    isSatisfiable:
      !declared.hasDeclarationConflict && !hasOrderInsideGroup && !hasCycle && !isAlongsideOrdered,
    hasCycle,
    declared,
    isOrdered,
  };
}

/** Everything the resolved plan gets wrong against the declarations, one line each (empty: none). */
export function planViolations(
  spec: GraphSpec,
  plan: AppPlan,
  verdict: StopVerdict = expectedStopVerdict(spec),
): string[] {
  const violations: string[] = [];
  const { declared, isOrdered } = verdict;
  const index = (name: string) => Number(name.slice(1));
  /** Each module's stop stage, as an index into the plan's stages. */
  const stageOf: (number | undefined)[] = [];
  const stageIndex = new Map(plan.stop.stages.map((stopStage, at) => [stopStage.id, at]));
  plan.stop.stages.forEach((stopStage, at) => {
    for (const previous of stopStage.follows) {
      if ((stageIndex.get(previous) ?? at) >= at)
        violations.push(`stage ${stopStage.id} is listed before ${previous}`);
    }
    for (const member of stopStage.members) {
      if (stageOf[index(member)] !== undefined) violations.push(`${member} is in two stop stages`);
      stageOf[index(member)] = at;
    }
  });
  /** For each stage, the stages that begin only after it has completed (bits by stage index), last first. */
  const later: bigint[] = plan.stop.stages.map(() => 0n);
  for (let at = plan.stop.stages.length - 1; at >= 0; at--) {
    plan.stop.stages.forEach((stopStage, next) => {
      const follows = stopStage.follows.map((id) => stageIndex.get(id));
      if (follows.includes(at))
        later[at] = (later[at] as bigint) | (1n << BigInt(next)) | (later[next] as bigint);
    });
  }
  const stopsBefore = (first: number, second: number) => {
    const a = stageOf[first];
    const b = stageOf[second];
    return a !== undefined && b !== undefined && ((later[a] as bigint) & (1n << BigInt(b))) !== 0n;
  };

  // Stages are exactly the "with" groups.
  const stageOfGroup = new Map<number, number | undefined>();
  const groupOfStage = new Map<number, number>();
  for (let module = 0; module < spec.size; module++) {
    const at = stageOf[module];
    const group = declared.group[module] as number;
    if (at === undefined) {
      violations.push(`${moduleName(module)} is in no stop stage`);
      continue;
    }
    if (stageOfGroup.has(group) && stageOfGroup.get(group) !== at)
      violations.push(`${moduleName(module)}: its "with" group is split over stages`);
    if (groupOfStage.has(at) && groupOfStage.get(at) !== group)
      violations.push(`${moduleName(module)}: shares a stage with modules of another "with" group`);
    stageOfGroup.set(group, at);
    groupOfStage.set(at, group);
  }
  for (const [first, second] of declared.orders) {
    if (!stopsBefore(first, second)) {
      violations.push(
        `${moduleName(first)} must stop before ${moduleName(second)} begins, but the plan lets it not`,
      );
    }
  }
  for (const [a, b] of declared.alongside) {
    if (stopsBefore(a, b) || stopsBefore(b, a))
      violations.push(`${moduleName(a)} alongside ${moduleName(b)} is ordered by the plan`);
  }
  // No order the declarations do not require: stages with no order between them begin together.
  plan.stop.stages.forEach((stopStage, at) => {
    for (const previous of stopStage.follows) {
      const from = groupOfStage.get(stageIndex.get(previous) ?? -1);
      const to = groupOfStage.get(at);
      if (from === undefined || to === undefined || !isOrdered(from, to))
        violations.push(`${stopStage.id} waits for ${previous} for no reason`);
    }
  });

  const startStage = new Map<string, number>();
  for (const startStageOfPlan of plan.start.stages) {
    for (const member of startStageOfPlan.modules) startStage.set(member, startStageOfPlan.index);
  }
  const expectedLevel: number[] = [];
  const level = (module: number): number => {
    const known = expectedLevel[module];
    if (known !== undefined) return known;
    const dependencies = spec.startAfter[module] ?? [];
    const result = dependencies.length === 0 ? 0 : 1 + Math.max(...dependencies.map(level));
    expectedLevel[module] = result;
    return result;
  };
  for (let module = 0; module < spec.size; module++) {
    if (startStage.get(moduleName(module)) !== level(module)) {
      violations.push(
        `${moduleName(module)} starts in stage ${startStage.get(moduleName(module))}, not ${level(module)}`,
      );
    }
  }
  return violations;
}

/**
 * Checks a stop cycle message step by step: `a -[after]-> b` (b declares after a), `a -[default]-> b`
 * (a started after b and names no relation with it), `a ~with~ b` (one `with` group), back to the start.
 */
export function stopCyclePathViolations(spec: GraphSpec, message: string): string[] {
  const match = /^stop cycle: (.*) \("<x> -\[why\]-> <y>"/.exec(message);
  if (match === null) return [`not a stop cycle message: ${message}`];
  const tokens = (match[1] as string).split(' ');
  const declared = readDeclarations(spec);
  const ancestors = ancestorsOf(spec);
  const index = (name: string) => Number(name.slice(1));
  const violations: string[] = [];
  let steps = 0;
  for (let at = 1; at + 1 < tokens.length; at += 2) {
    const from = index(tokens[at - 1] as string);
    const to = index(tokens[at + 1] as string);
    const link = tokens[at];
    if (link === '-[after]->') {
      steps += 1;
      if (!spec.relations.some((r) => r.module === to && r.other === from && r.relation === 'after'))
        violations.push(`${tokens[at + 1]} does not declare after ${tokens[at - 1]}`);
    } else if (link === '-[default]->') {
      steps += 1;
      if (!ancestors[from]?.has(to) || declared.named.has(pairKey(from, to)))
        violations.push(`${tokens[at - 1]} has no default order before ${tokens[at + 1]}`);
    } else if (link === '~with~') {
      if (declared.group[from] !== declared.group[to])
        violations.push(`${tokens[at - 1]} and ${tokens[at + 1]} are not one "with" group`);
    } else {
      violations.push(`unknown link ${link}`);
    }
  }
  if (steps === 0) violations.push('a cycle without a step');
  if (tokens[0] !== tokens[tokens.length - 1]) violations.push(`the path does not return to ${tokens[0]}`);
  return violations;
}

/** Checks a start cycle message: each `a -> b` is a declared `startAfter`, and the path returns to its start. */
export function startCyclePathViolations(spec: GraphSpec, message: string): string[] {
  const match = /^start cycle: (.*?) \(/.exec(message);
  if (match === null) return [`not a start cycle message: ${message}`];
  const names = (match[1] as string).split(' -> ');
  const violations: string[] = [];
  for (let at = 0; at + 1 < names.length; at++) {
    const from = Number((names[at] as string).slice(1));
    const to = Number((names[at + 1] as string).slice(1));
    if (!(spec.startAfter[from] ?? []).includes(to))
      violations.push(`${names[at]} does not start after ${names[at + 1]}`);
  }
  if (names.length < 2 || names[0] !== names[names.length - 1])
    violations.push('the path does not return to its start');
  return violations;
}
