import type { Logger } from 'pino';
import type { DependencyContainer } from 'tsyringe';
import type { Duration } from './Duration.js';
import type { ModuleNameInput, ResourceTagInput } from './ModuleRef.js';
import type { Token, TokenValue } from './Token.js';

/**
 * How a module's stop relates to named other modules. For every module it does not name here, the
 * default holds: it stops before every module it started after, directly or through others.
 */
export interface StopDeclaration {
  /** "We stop as one stage": our stops begin together and the stage completes when all have stopped. */
  readonly with?: readonly ModuleNameInput[];
  /** "Our stops begin at the same moment and complete independently": no order between us. */
  readonly alongside?: readonly ModuleNameInput[];
  /** "Begin my stop only after theirs has completed." */
  readonly after?: readonly ModuleNameInput[];
  /**
   * "Stop after everything else": the module begins its stop only after every module of the app that
   * does not declare `last` has stopped, whenever it was composed (infrastructure such as a connection
   * pool, or what records the others: metrics, an audit log). Modules that declare `last` keep the default
   * among themselves; a pair either module names in `with`, `alongside` or `after` keeps that relation
   * (a module in `with` joins the last stage). A module that does not declare `last` may not name one
   * that does in its `after`: the last module would stop before it (`KAS_STOP_CONTRADICTION`).
   */
  readonly last?: boolean;
}

/** Names of the three stop relations to named modules, as used in `StopDeclaration`. */
export type StopRelation = 'with' | 'alongside' | 'after';

/** Data a module attaches to a mark in the trace (e.g. `{ connections: 500 }`). */
export type MarkData = Readonly<Record<string, string | number | boolean>>;

/**
 * A module's progress while it stops (e.g. `{ state: 'draining', inFlight: 12, watches: 3 }`): a small
 * flat record of counts and states that replaces the previous one. Live views show the latest.
 */
export type ProgressRecord = Readonly<Record<string, string | number | boolean>>;

/** What `start` and `stop` receive. */
export interface LifecycleContext {
  /** A pino child logger with `module` set to the module's name. */
  readonly log: Logger;
  /**
   * Fires when the module must give up: at its start budget (start), or at its drain budget, a second
   * signal or the shutdown deadline (stop). Its `reason` is a `DrainCutError` (code `KAS_DRAIN_CUT`, and
   * `cutReason`: what cut it) or a `CoreError` with code `KAS_START_TIMEOUT`/`KAS_START_ABORTED`. Long work checks it and cuts what is left when it fires.
   */
  readonly signal: AbortSignal;
  /** When `signal` fires at the latest, in epoch milliseconds (`Date.now()` scale). */
  readonly deadline: number;
  /**
   * Records a named moment in the lifecycle trace (e.g. `'goaway.sent'`), so a timeline shows it.
   */
  mark(name: string, data?: MarkData): void;
  /**
   * Publishes the module's progress (what it still drains, how far it got), replacing its previous
   * record. Call it when a count changes: it costs only storing the record unless a live view or a
   * trace is watching, which then get a `module.progress` event.
   */
  progress(record: ProgressRecord): void;
}

/** What a module's factory returns: its two lifecycle hooks and the values it provides. */
export type ModuleInstance<P = Record<never, never>> = ModuleHooks &
  ([keyof P] extends [never] ? { readonly provides?: P } : { readonly provides: P });

/** The two lifecycle hooks of a module instance. */
export interface ModuleHooks {
  /** Resolves when the module is serving. */
  start(ctx: LifecycleContext): Promise<void>;
  /** Graceful and bounded: resolves when the module has fully stopped; cuts what is left when `ctx.signal` fires. */
  stop(ctx: LifecycleContext): Promise<void>;
}

/** A record of DI tokens, by the name the factory receives them under. */
export type TokenRecord = Readonly<Record<string, Token<unknown>>>;

/** The values of a token record. */
export type ResolvedTokens<R extends TokenRecord> = { readonly [K in keyof R]: TokenValue<R[K]> };

/** What the factory receives: the resolved needs, a logger and the module's own DI scope. */
export type FactoryInput<N extends TokenRecord> = ResolvedTokens<N> & {
  /** A pino child logger with `module` set. */
  readonly log: Logger;
  /** The module's own child container: register what is private to the module here. */
  readonly container: DependencyContainer;
};

/** Names the factory input reserves; a `needs` key may not use them. */
type ReservedNeedName = 'log' | 'container';

/** The declaration of a module: its lifecycle contract, read top to bottom, plus a factory. */
export interface ModuleDefinition<
  N extends TokenRecord = Record<never, never>,
  P extends TokenRecord = Record<never, never>,
> {
  /** Unique in an app; appears in every log line, event and lint finding about the module. */
  readonly name: string;
  /** "Start me after these have started." Providers of `needs` are added implicitly. */
  readonly startAfter?: readonly ModuleNameInput[];
  /** Stop relations to named modules; every other pair keeps the start-order default. */
  readonly stop?: StopDeclaration;
  /** How long `stop` may take before `ctx.signal` tells it to cut what is left. Default 30s. */
  readonly drainBudget?: Duration;
  /** How long `start` may take before it fails with `KAS_START_TIMEOUT`. Default 30s. */
  readonly startBudget?: Duration;
  /** Resources this module accepts from outside (e.g. `'agent-tunnels'`), for the linter. */
  readonly accepts?: readonly ResourceTagInput[];
  /** Resources this module advertises to other replicas, for the linter. */
  readonly advertises?: readonly ResourceTagInput[];
  /** Resources owned by other modules that this module's in-flight work uses, for the linter. */
  readonly uses?: readonly ResourceTagInput[];
  /**
   * Resources whose activity this module records (an audit log of agent tunnels): it must stop only after
   * every module that accepts, advertises or uses them has stopped, or it misses their last events. For
   * the linter (`KAS_OBSERVER_STOPS_EARLY`).
   */
  readonly observes?: readonly ResourceTagInput[];
  /** DI tokens this module needs, by the name its factory receives them under. */
  readonly needs?: N & { readonly [K in ReservedNeedName]?: never };
  /** DI tokens this module provides, by the name its instance's `provides` carries them under. */
  readonly provides?: P;
  /**
   * Where the module was declared; `defineModule` fills it in from its caller's stack frame, so lint
   * findings (JSON, SARIF) point at the declaration.
   */
  readonly declaredAt?: DeclarationSite;
  /** Creates the module. Called once, just before its start; cheap and synchronous: I/O belongs in `start`. */
  readonly create: (input: FactoryInput<N>) => ModuleInstance<ResolvedTokens<P>>;
}

/** Where a module was declared: the `defineModule` call, 1-based line and column. */
export interface DeclarationSite {
  /** An absolute path (or a URL when the module was not loaded from a file). */
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** A module definition with its type parameters erased, as apps and plans hold them. */
// biome-ignore lint/suspicious/noExplicitAny: erasing the factory's parameter types is the point of this alias
export type AnyModule = ModuleDefinition<any, any>;
