import type { Duration } from '../module/Duration.js';
import type { AnyModule, StopDeclaration } from '../module/ModuleDefinition.js';
import type { Token } from '../module/Token.js';

/**
 * What an app author changes about a module without editing it. `stop` replaces the module's whole
 * stop declaration (name every relation you want to keep); budgets replace the module's own.
 */
export interface ModuleOverride {
  readonly stop?: StopDeclaration;
  readonly drainBudget?: Duration;
  readonly startBudget?: Duration;
  /**
   * Where the override comes from, as the problems its `stop` causes name it (kas: `overrides.audit-sink.stop
   * (kas.yaml:12:5)`), so an operator looks there, not in the module. Default: `the app's overrides`.
   */
  readonly origin?: string;
}

/** A value the app registers in its container, in tsyringe's `{ token, useValue }` shape. */
export interface ProvidedValue<T = unknown> {
  readonly token: Token<T>;
  readonly useValue: T;
}

/**
 * An app's module graph as data: the modules, the app author's overrides, and values the app
 * provides. `createApp` runs it; `kas-graph` lints it. Build one with a plain object literal.
 */
export interface AppComposition {
  readonly modules: readonly AnyModule[];
  /** Overrides by module name. */
  readonly overrides?: Readonly<Record<string, ModuleOverride>>;
  /** Values registered in the app's container before any module is created (config, clocks, ...). */
  readonly provide?: readonly ProvidedValue[];
}
