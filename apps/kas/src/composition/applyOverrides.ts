import { formatKeyPath } from '@kas/config';
import { type AppComposition, ClosestNames, type ModuleOverride } from '@kas/core';
import { KUBE_PROXY, PRIVATE_API } from '@kas/module-kube-proxy';
import { AGENT_GRPC_SERVER, TUNNEL_TRACKER } from '@kas/tunnel-protocol';
import type { WhereSet } from '../config/loadConfigFile.js';
import type { KasOverrides } from '../config/overridesSchema.js';
import { KasAppError } from '../errors/KasAppError.js';
import { type ConditionalModule, conditionalModuleNamed } from './conditionalModules.js';
import { didYouMean } from './didYouMean.js';

/**
 * Built-in modules whose drain budget is a kas.yaml key of its own. An override would bypass what kas
 * derives from that key (`agentGrpc.drainBudget`'s default, the check that it outlasts the user-traffic
 * drains) and the key the module names when it cuts requests, so the key is the one place to set it.
 */
const DRAIN_BUDGET_KEYS: ReadonlyMap<string, string> = new Map<string, string>([
  [AGENT_GRPC_SERVER, 'agentGrpc.drainBudget'],
  [TUNNEL_TRACKER, 'tunnelTracker.drainBudget'],
  [KUBE_PROXY, 'kubeProxy.drainBudget'],
  [PRIVATE_API, 'privateApi.drainBudget'],
]);

const OVERRIDE_FIELDS = ['drainBudget', 'startBudget', 'stop'] as const;
const STOP_RELATIONS = ['with', 'alongside', 'after'] as const;

/** One bad entry of `overrides:`: its key path in kas.yaml and what is wrong. */
interface OverrideProblem {
  readonly path: readonly PropertyKey[];
  readonly message: string;
  /** The entry's key is wrong (reported at the key), not its value. */
  readonly isAboutKey?: boolean;
}

/** An unknown name in `overrides:`; `conditional` when it is one of kas's own modules the config leaves out. */
interface UnknownName extends OverrideProblem {
  readonly conditional?: ConditionalModule;
}

/**
 * `composition` with kas.yaml's `overrides:` applied: each entry merged, key by key, over kas's own
 * override of that module (`--legacy-stop-order`'s). Checked first, before anything starts, each problem
 * at its place in the config (`where`): `KAS_OVERRIDE_MODULE_UNKNOWN` for a name that is not a module of
 * `composition` (an entry's key, or a name in its stop relations), `KAS_OVERRIDE_CONFLICT` for a key kas
 * sets itself (the stop of a module the legacy order reorders) or that has a kas.yaml key of its own (a
 * built-in module's drain budget), so nothing is silently dropped. What the overridden graph means
 * (cycles, contradictions, the lint rules) is checked by the core and by `kas-graph lint`, as for any graph.
 */
export function applyOverrides(
  composition: AppComposition,
  overrides: KasOverrides,
  where: WhereSet,
): AppComposition {
  if (Object.keys(overrides).length === 0) return composition;
  const names = composition.modules.map((module) => module.name);
  const unknown = unknownNames(overrides, names);
  if (unknown.length > 0) {
    const isFromEnvironment = unknown.some((problem) => where(problem.path).startsWith('environment'));
    const conditionals = new Set(unknown.flatMap(({ conditional }) => conditional ?? []));
    throw new KasAppError(
      'KAS_OVERRIDE_MODULE_UNKNOWN',
      `overrides: names modules this kas does not have (its modules: ${names.join(', ')}):\n  ${describe(unknown, where)}`,
      `${[...conditionals].map((conditional) => `for "${conditional.name}", ${conditional.howToAdd}; `).join('')}name one of the modules listed (a loaded module's name is the name: of its defineModule), or load the module under modules:${
        isFromEnvironment
          ? `; a KAS_OVERRIDES__<MODULE>__... variable cannot spell a name with "-": set KAS_OVERRIDES to a YAML mapping instead (KAS_OVERRIDES='{audit-sink: {drainBudget: 2m}}')`
          : ''
      }`,
    );
  }
  const own = composition.overrides ?? {};
  const conflicts = conflictsOf(overrides, own);
  if (conflicts.length > 0) {
    const fixes = [
      ...(conflicts.some((conflict) => conflict.conflictsWith === 'sectionKey')
        ? ['set each drain budget listed with its own kas.yaml key instead, and remove it from overrides:']
        : []),
      ...(conflicts.some((conflict) => conflict.conflictsWith === 'stopOrder')
        ? [
            "while running with --legacy-stop-order (the pre-fix order, for comparison), remove from overrides: what that order sets, or run without the flag; the entries' other keys may stay",
          ]
        : []),
    ];
    throw new KasAppError(
      'KAS_OVERRIDE_CONFLICT',
      `overrides: sets what kas decides elsewhere:\n  ${describe(conflicts, where)}`,
      fixes.join('; '),
    );
  }
  const merged: Record<string, ModuleOverride> = { ...own };
  for (const [name, override] of Object.entries(overrides)) {
    const path = ['overrides', name, 'stop'];
    merged[name] = {
      ...(Object.hasOwn(own, name) ? own[name] : {}),
      ...override,
      // What a stop problem names as the source of this module's stop relations: this entry, not the module.
      ...(override.stop === undefined ? {} : { origin: `${formatKeyPath(path)} (${where(path)})` }),
    };
  }
  return { ...composition, overrides: merged };
}

/** Every name in `overrides:` (an entry's key, a module its stop names) that is not one of `names`. */
function unknownNames(overrides: KasOverrides, names: readonly string[]): UnknownName[] {
  const known = new Set(names);
  const closest = new ClosestNames(names);
  const problem = (path: readonly PropertyKey[], name: string, isAboutKey = false): UnknownName => {
    const conditional = conditionalModuleNamed(name);
    if (conditional !== undefined) {
      return {
        path,
        message: `"${name}" is not a module of this kas: it is ${conditional.composedWhen}`,
        isAboutKey,
        conditional,
      };
    }
    // `auditSink` (a KAS_OVERRIDES__AUDIT_SINK__... variable) or `kube_proxy` for `audit-sink`, `kube-proxy`
    const squash = (text: string) => text.replace(/[-_.]/g, '').toLowerCase();
    const squashed = names.find((candidate) => squash(candidate) === squash(name));
    const meant = squashed === undefined ? closest.closestTo(name) : [squashed];
    return {
      path,
      message: `"${name}" is not a module of this kas${didYouMean(meant, ' (', ')')}`,
      isAboutKey,
    };
  };
  const problems: UnknownName[] = [];
  for (const [name, override] of Object.entries(overrides)) {
    if (!known.has(name)) problems.push(problem(['overrides', name], name, true));
    for (const relation of STOP_RELATIONS) {
      for (const [index, other] of (override.stop?.[relation] ?? []).entries()) {
        if (!known.has(other)) problems.push(problem(['overrides', name, 'stop', relation, index], other));
      }
    }
  }
  return problems;
}

/** A key of `overrides:` that kas's own override sets too (`stopOrder`), or a built-in section's key. */
interface OverrideConflict extends OverrideProblem {
  readonly conflictsWith: 'stopOrder' | 'sectionKey';
}

/** Keys of `overrides:` that kas's own overrides set too, or that a built-in module's section sets. */
function conflictsOf(
  overrides: KasOverrides,
  own: Readonly<Record<string, ModuleOverride>>,
): OverrideConflict[] {
  const problems: OverrideConflict[] = [];
  for (const [name, override] of Object.entries(overrides)) {
    const ownOverride = Object.hasOwn(own, name) ? own[name] : undefined;
    for (const field of OVERRIDE_FIELDS) {
      if (override[field] === undefined) continue;
      const path = ['overrides', name, field];
      const ownValue = ownOverride?.[field];
      const budgetKey = field === 'drainBudget' ? DRAIN_BUDGET_KEYS.get(name) : undefined;
      if (ownValue !== undefined) {
        // kas's own overrides are the legacy stop order's, and only when it runs with that flag
        problems.push({
          path,
          conflictsWith: 'stopOrder',
          message: `--legacy-stop-order sets the ${field} of "${name}" too (${field}: ${JSON.stringify(ownValue)}): one of the two would be dropped`,
        });
      } else if (budgetKey !== undefined) {
        problems.push({
          path,
          conflictsWith: 'sectionKey',
          message: `the drain budget of "${name}" has a key of its own: set ${budgetKey} instead (kas derives and checks the agent edge's budget from these keys, and the module names its key when it cuts at the budget)`,
        });
      }
    }
  }
  return problems;
}

function describe(problems: readonly OverrideProblem[], where: WhereSet): string {
  return problems
    .map(
      (problem) =>
        `${where(problem.path, problem.isAboutKey === true ? 'key' : 'value')}: ${formatKeyPath(problem.path)}: ${problem.message}`,
    )
    .join('\n  ');
}
