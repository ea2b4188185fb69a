import 'reflect-metadata';

// What module and app authors use. Tooling (plan analysis without throwing) is under `@kas/core/analysis`,
// the snapshot fold for live views under `@kas/core/snapshot`, test helpers under `@kas/core/testing`;
// the linter and its CLI are `@kas/graph`.
export { CoreError } from './errors/CoreError.js';
export { cutReasonOf, DrainCutError } from './errors/DrainCutError.js';
export { CORE_ERROR_CODES, type CoreErrorCode } from './errors/errorCodes.js';
export { GraphError, type GraphProblem } from './errors/GraphError.js';
export type {
  CutReason,
  EventError,
  LifecycleEvent,
  LifecycleEventType,
  LifecycleListener,
  Phase,
  StopStatus,
  SubscribeOptions,
} from './events/LifecycleEvent.js';
export { ListenerConnections, peerOf } from './listener/ListenerConnections.js';
export { RateLimitedLog, type RateLimitedLogOptions } from './listener/RateLimitedLog.js';
export { type Duration, formatDuration, MAX_DURATION_MS, toMilliseconds } from './module/Duration.js';
export { checkModuleDefinition, defineModule } from './module/defineModule.js';
export type {
  AnyModule,
  DeclarationSite,
  FactoryInput,
  LifecycleContext,
  MarkData,
  ModuleDefinition,
  ModuleHooks,
  ModuleInstance,
  ProgressRecord,
  ResolvedTokens,
  StopDeclaration,
  StopRelation,
  TokenRecord,
} from './module/ModuleDefinition.js';
export {
  createModuleRef,
  createResourceTag,
  type ModuleNameInput,
  type ModuleRef,
  type ResourceTag,
  type ResourceTagInput,
} from './module/ModuleRef.js';
export { createToken, type Token, type TokenValue } from './module/Token.js';
export type { AppComposition, ModuleOverride, ProvidedValue } from './plan/AppComposition.js';
export type {
  AppPlan,
  PlannedModule,
  StartDependency,
  StartStage,
  StopEdge,
  StopPlan,
  StopStage,
} from './plan/AppPlan.js';
export { ClosestNames } from './plan/closestNames.js';
export { resolvePlan } from './plan/resolvePlan.js';
export type { AppState, ModuleState } from './runner/AppState.js';
export { type App, type AppOptions, createApp, SHUTDOWN_DEADLINE_MARGIN_MS } from './runner/createApp.js';
export { exitProcess } from './runner/exitProcess.js';
export { EXIT_CODES } from './runner/runUntilSignal.js';
export type { StopOutcome } from './runner/StopRun.js';
export type {
  LifecycleSnapshot,
  ModuleSnapshot,
  StageSnapshot,
  StageState,
  StopSnapshot,
} from './snapshot/LifecycleSnapshot.js';
