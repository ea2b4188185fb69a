// @kas/graph: the linter of kas module graphs and the `kas-graph` CLI. Module and app authors depend on
// @kas/core only; rule authors and tools (CI checks, the demo) use this package, as a devDependency.

export {
  CLI_ERROR_CODES as GRAPH_ERROR_CODES,
  type CliErrorCode as GraphErrorCode,
} from './cli/cliErrorCodes.js';
export { KAS_LINT_RULES } from './lint/coreLintRules.js';
export { defineLintRule } from './lint/defineLintRule.js';
export type { LintGraph, LintLimits, ResourceRole, StopTiming } from './lint/LintGraph.js';
export type {
  LintFinding,
  LintFindingDraft,
  LintRule,
  LintSetting,
  LintSeverity,
  SourceLocation,
} from './lint/LintRule.js';
export { LintRuleError } from './lint/LintRuleError.js';
export {
  type AppliedRule,
  DEFAULT_ACCEPT_DELAY_LIMIT_MS,
  type LintOptions,
  type LintResult,
  lintComposition,
  lintPlan,
  MAX_FINDINGS_PER_RULE,
} from './lint/lintComposition.js';
