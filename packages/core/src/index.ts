import 'reflect-metadata';

export { CoreError } from './errors/CoreError.js';
export { CORE_ERROR_CODES, type CoreErrorCode } from './errors/errorCodes.js';
export { GraphError, type GraphProblem } from './errors/GraphError.js';
export { type CreatedTraceWriter, createTraceWriter } from './events/createTraceWriter.js';
export type {
  CutReason,
  EventError,
  LifecycleEvent,
  LifecycleEventType,
  LifecycleListener,
  Phase,
  StopStatus,
} from './events/LifecycleEvent.js';
export { logLifecycleEvent } from './events/logLifecycleEvent.js';
export { KAS_LINT_RULES } from './lint/coreLintRules.js';
export { defineLintRule } from './lint/defineLintRule.js';
export { formatDuration } from './lint/formatDuration.js';
export type { LintGraph, LintLimits, ResourceRole, StopTiming } from './lint/LintGraph.js';
export type { LintFinding, LintFindingDraft, LintRule, LintSetting, LintSeverity } from './lint/LintRule.js';
export {
  type AppliedRule,
  DEFAULT_ACCEPT_DELAY_LIMIT_MS,
  type LintOptions,
  type LintResult,
  lintComposition,
  lintPlan,
} from './lint/lintComposition.js';
export { type Duration, toMilliseconds } from './module/Duration.js';
export { defineModule } from './module/defineModule.js';
export type {
  AnyModule,
  FactoryInput,
  LifecycleContext,
  MarkData,
  ModuleDefinition,
  ModuleHooks,
  ModuleInstance,
  ResolvedTokens,
  StopDeclaration,
  StopRelation,
  TokenRecord,
} from './module/ModuleDefinition.js';
export { createToken, describeToken, type Token, type TokenValue } from './module/Token.js';
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
export { analyzeComposition, type CompositionAnalysis } from './plan/analyzeComposition.js';
export { DEFAULT_DRAIN_BUDGET_MS, DEFAULT_START_BUDGET_MS } from './plan/normalizeModules.js';
export { resolvePlan } from './plan/resolvePlan.js';
export type { AppState, ModuleState } from './runner/AppState.js';
export { type App, type AppOptions, createApp } from './runner/createApp.js';
export { START_ABORT_GRACE_MS } from './runner/ModuleRuntime.js';
export { EXIT_CODES, exitCodeFor } from './runner/runUntilSignal.js';
export { DEADLINE_GRACE_MS, type StopOutcome } from './runner/StopRun.js';
