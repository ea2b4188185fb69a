import { CoreError } from '../errors/CoreError.js';
import type { GraphProblem } from '../errors/GraphError.js';
import { toMilliseconds } from '../module/Duration.js';
import { checkModuleDefinition } from '../module/defineModule.js';
import type { AnyModule } from '../module/ModuleDefinition.js';
import { NAME_PATTERN, NAME_RULE } from '../module/ModuleRef.js';
import { quoteValue } from '../module/quoteValue.js';
import { describeToken } from '../module/Token.js';
import type { AppComposition, ModuleOverride } from './AppComposition.js';
import type { PlannedModule, StartDependency } from './AppPlan.js';
import { unknownModuleProblem } from './unknownModuleProblem.js';

/** The default drain budget of a module that declares none. */
export const DEFAULT_DRAIN_BUDGET_MS = 30_000;
/** The default start budget of a module that declares none. */
export const DEFAULT_START_BUDGET_MS = 30_000;

/** Effective declarations of an app's modules, in composition order, with the problems found on the way. */
export interface NormalizedModules {
  readonly modules: readonly PlannedModule[];
  readonly definitions: ReadonlyMap<string, AnyModule>;
  readonly problems: readonly GraphProblem[];
}

/**
 * Applies overrides, drops duplicate names, and resolves start dependencies (declared and implied by
 * DI needs), reporting duplicate names, unknown names and unprovided or twice-provided tokens.
 */
export function normalizeModules(composition: AppComposition): NormalizedModules {
  const problems: GraphProblem[] = [];
  const definitions = new Map<string, AnyModule>();
  for (const module of composition.modules) {
    // Modules made without defineModule (or by another copy of it) get the same checks, so a malformed
    // field is a KAS_INVALID_DECLARATION naming it, never a TypeError from deep inside the resolver.
    checkModuleDefinition(module);
    const override = ownOverride(composition, module.name);
    if (override !== undefined) checkModuleDefinition({ ...module, ...override });
    if (definitions.has(module.name)) {
      problems.push({
        code: 'KAS_DUPLICATE_MODULE',
        message: `two modules are named "${module.name}"`,
        fix: 'give each module a unique name, or compose the module only once',
        modules: [module.name],
      });
      continue;
    }
    definitions.set(module.name, module);
  }
  const unknownModule = unknownModuleProblem([...definitions.keys()]);
  const overrides = composition.overrides ?? {};
  for (const name of Object.keys(overrides)) {
    if (!NAME_PATTERN.test(name)) {
      throw new CoreError(
        'KAS_INVALID_DECLARATION',
        `the app's overrides: ${quoteValue(name)} is not a module name: ${NAME_RULE}`,
        "key each override by the name of a module of the app, like 'tunnel-tracker'",
      );
    }
    if (!definitions.has(name)) problems.push(unknownModule("the app's overrides", name));
  }

  const providers = new Map<symbol, { readonly name: string; readonly key: string }>();
  for (const value of composition.provide ?? []) {
    if (providers.has(value.token)) {
      problems.push({
        code: 'KAS_TOKEN_PROVIDED_TWICE',
        message: `token ${describeToken(value.token)} is provided twice by the app's \`provide\``,
        fix: "register each token once in the app's `provide`; remove one of the values",
        modules: [],
      });
      continue;
    }
    providers.set(value.token, { name: 'app', key: '' });
  }
  for (const module of definitions.values()) {
    for (const [key, token] of Object.entries<symbol>(module.provides ?? {})) {
      const existing = providers.get(token);
      if (existing !== undefined) {
        const isSameModule = existing.name === module.name;
        problems.push({
          code: 'KAS_TOKEN_PROVIDED_TWICE',
          message: isSameModule
            ? `token ${describeToken(token)} is provided twice by "${module.name}" (provides.${existing.key} and provides.${key})`
            : `token ${describeToken(token)} is provided by both ${existing.name === 'app' ? 'the app' : `"${existing.name}"`} and "${module.name}"`,
          fix: 'provide each token from one place; remove one of the providers or give them different tokens',
          modules: isSameModule || existing.name === 'app' ? [module.name] : [existing.name, module.name],
        });
        continue;
      }
      providers.set(token, { name: module.name, key });
    }
  }

  const modules: PlannedModule[] = [];
  for (const module of definitions.values()) {
    const override = ownOverride(composition, module.name);
    const startAfter: StartDependency[] = [];
    for (const name of new Set(module.startAfter ?? [])) {
      if (definitions.has(name)) startAfter.push({ module: name, reason: 'declared' });
      else problems.push(unknownModule(`"${module.name}" startAfter`, name, module.name));
    }
    for (const token of Object.values<symbol>(module.needs ?? {})) {
      const provider = providers.get(token)?.name;
      if (provider === undefined) {
        problems.push({
          code: 'KAS_TOKEN_NOT_PROVIDED',
          message: `"${module.name}" needs token ${describeToken(token)}, which no module and no app value provides`,
          fix: "compose the module that provides it (in kas: list it under modules: in kas.yaml), or register a value for it in the app's `provide` (an app composed in code)",
          modules: [module.name],
        });
      } else if (provider !== 'app' && !startAfter.some((dependency) => dependency.module === provider)) {
        startAfter.push({ module: provider, reason: 'needs', token: describeToken(token) });
      }
    }
    const stop = override?.stop ?? module.stop ?? {};
    for (const relation of ['with', 'alongside', 'after'] as const) {
      for (const name of stop[relation] ?? []) {
        if (!definitions.has(name)) {
          problems.push(unknownModule(`"${module.name}" stop.${relation}`, name, module.name));
        }
      }
    }
    const drainBudget = override?.drainBudget ?? module.drainBudget;
    const startBudget = override?.startBudget ?? module.startBudget;
    modules.push({
      name: module.name,
      startAfter,
      stop,
      drainBudgetMs:
        drainBudget === undefined
          ? DEFAULT_DRAIN_BUDGET_MS
          : toMilliseconds(drainBudget, `"${module.name}" drainBudget`),
      startBudgetMs:
        startBudget === undefined
          ? DEFAULT_START_BUDGET_MS
          : toMilliseconds(startBudget, `"${module.name}" startBudget`),
      accepts: module.accepts ?? [],
      advertises: module.advertises ?? [],
      uses: module.uses ?? [],
      observes: module.observes ?? [],
      needs: Object.values<symbol>(module.needs ?? {}).map(describeToken),
      provides: Object.values<symbol>(module.provides ?? {}).map(describeToken),
      isOverridden: override !== undefined,
      ...(override?.stop === undefined ? {} : { stopSetBy: override.origin ?? "the app's overrides" }),
      ...(module.declaredAt === undefined ? {} : { declaredAt: module.declaredAt }),
    });
  }
  return { modules: expandLast(modules), definitions, problems };
}

/**
 * Turns `stop: { last: true }` into the `after` pairs it means: after every module that does not declare
 * `last`, except the modules a declaration of either side already relates it to.
 */
function expandLast(modules: readonly PlannedModule[]): PlannedModule[] {
  const isLast = (module: PlannedModule) => module.stop.last === true;
  if (!modules.some(isLast)) return [...modules];
  const named = (module: PlannedModule) =>
    new Set([...(module.stop.with ?? []), ...(module.stop.alongside ?? []), ...(module.stop.after ?? [])]);
  const namesOf = new Map(modules.map((module) => [module.name, named(module)]));
  // Only the others are visited for each last module: with every module declaring last, visiting all of
  // them for each was quadratic (50,000 such modules took 38 s to compose).
  const others = modules.filter((module) => !isLast(module));
  return modules.map((module) => {
    if (!isLast(module)) return module;
    const own = namesOf.get(module.name) ?? new Set<string>();
    const after = [...(module.stop.after ?? [])];
    for (const other of others) {
      if (own.has(other.name)) continue;
      if (namesOf.get(other.name)?.has(module.name)) continue;
      after.push(other.name);
    }
    return { ...module, stop: { ...module.stop, after } };
  });
}

/** The app's override of a module; own keys only, so a module named like `toString` has none. */
function ownOverride(composition: AppComposition, name: string): ModuleOverride | undefined {
  const overrides = composition.overrides ?? {};
  return Object.hasOwn(overrides, name) ? overrides[name] : undefined;
}
