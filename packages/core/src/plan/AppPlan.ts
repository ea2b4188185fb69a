import type { DeclarationSite, StopDeclaration } from '../module/ModuleDefinition.js';

/** Why a module starts after another. */
export interface StartDependency {
  readonly module: string;
  /** `declared` in `startAfter`, or implied because the module `needs` a token the other provides. */
  readonly reason: 'declared' | 'needs';
  /** For `needs`: the description of the token. */
  readonly token?: string;
}

/** A module as the plans see it: its declaration after the app's overrides, budgets in milliseconds. */
export interface PlannedModule {
  readonly name: string;
  readonly startAfter: readonly StartDependency[];
  /**
   * Its effective stop declaration; for a module that declares `last`, `after` lists every module it
   * stops after because of it.
   */
  readonly stop: StopDeclaration;
  readonly drainBudgetMs: number;
  readonly startBudgetMs: number;
  readonly accepts: readonly string[];
  readonly advertises: readonly string[];
  readonly uses: readonly string[];
  readonly observes: readonly string[];
  /** Descriptions of the tokens it needs and provides. */
  readonly needs: readonly string[];
  readonly provides: readonly string[];
  /** Where it was declared (`defineModule`'s caller), when known. */
  readonly declaredAt?: DeclarationSite;
  /** True when the app's composition overrode its stop declaration or a budget. */
  readonly isOverridden: boolean;
  /**
   * Where its stop declaration comes from when an override replaced it (the override's `origin`, or
   * `the app's overrides`); absent when `stop` is the module's own.
   */
  readonly stopSetBy?: string;
}

/** Modules that start concurrently, once every earlier stage has started. */
export interface StartStage {
  readonly index: number;
  readonly modules: readonly string[];
}

/** `to` begins its stop only after `from` has stopped. */
export interface StopEdge {
  readonly from: string;
  readonly to: string;
  /** `default`: `from` started after `to`; `after`: `to` declared `after: [from]`. */
  readonly reason: 'default' | 'after';
}

/** Modules whose stops begin at the same moment; the stage completes when all have stopped. */
export interface StopStage {
  /** The members' names joined with `+`. */
  readonly id: string;
  readonly members: readonly string[];
  /** Ids of the stages that must complete before this one begins. */
  readonly follows: readonly string[];
  /** The longest drain budget of its members: how long the stage may take. */
  readonly drainBudgetMs: number;
}

/** The stop plan: a DAG of stages, listed in an order where every stage comes after those it follows. */
export interface StopPlan {
  readonly stages: readonly StopStage[];
  /** Module-level order constraints behind `follows` (redundant transitive defaults left out). */
  readonly edges: readonly StopEdge[];
  /** The chain of stages whose budgets add up to the longest possible stop. */
  readonly criticalPath: { readonly stages: readonly string[]; readonly worstCaseMs: number };
}

/** Both plans of an app, as plain data: what `kas-graph plan` prints and tests assert. */
export interface AppPlan {
  /** Modules in start order. */
  readonly modules: readonly PlannedModule[];
  readonly start: { readonly stages: readonly StartStage[] };
  readonly stop: StopPlan;
}
