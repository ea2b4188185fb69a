import type { AppComposition, AppPlan, GraphProblem } from '@kas/core';
import { CoreError } from '@kas/core';
import { analyzeComposition } from '@kas/core/analysis';
import { KAS_LINT_RULES } from './coreLintRules.js';
import { createLintGraph, type LintLimits } from './LintGraph.js';
import type { LintFinding, LintRule, LintSetting, LintSeverity } from './LintRule.js';
import { LintRuleError } from './LintRuleError.js';
import { isStructuralCode } from './rules/structuralRules.js';

/** The accept delay limit when none is given: a stage at the default drain budget is not a long drain. */
export const DEFAULT_ACCEPT_DELAY_LIMIT_MS = 30_000;

/**
 * How many findings of one rule a lint run lists. A rule that pairs modules (every observer with every
 * module serving what it observes) can find a number of problems that grows with the square of the graph:
 * 2,500 observers of 2,500 acceptors are 6.25 million. After this many, the run adds one finding saying
 * there are more and checks the rule no further.
 */
export const MAX_FINDINGS_PER_RULE = 1_000;

/** What to check and how loud: extra rules, severities by code, and limits. */
export interface LintOptions {
  /** Rules to check after the core's (e.g. from third-party packages); codes must be unique. */
  readonly rules?: readonly LintRule[];
  /** Severity by rule code; a structural rule can only be `error`. */
  readonly settings?: Readonly<Record<string, LintSetting>>;
  readonly limits?: Partial<LintLimits>;
}

/** A rule as one lint run applied it. */
export interface AppliedRule {
  readonly rule: LintRule;
  readonly setting: LintSetting;
  /** Why the rule did not run (`off`, or no plan to check), when it did not. */
  readonly skipped?: string;
}

/** The outcome of one lint run. */
export interface LintResult {
  /** Findings in rule order, then in the order each rule found them. */
  readonly findings: readonly LintFinding[];
  readonly rules: readonly AppliedRule[];
  readonly errorCount: number;
  readonly warningCount: number;
  /** The resolved plans, when the graph has no start or stop cycle. */
  readonly plan?: AppPlan;
}

/**
 * Resolves both plans of a composition and checks every rule: the structural ones report the problems
 * `analyzeComposition` found, the others check the plans (they are skipped when a cycle leaves no plan).
 * Throws `KAS_INVALID_DECLARATION` for duplicate rule codes or a setting for an unknown code.
 */
export function lintComposition(composition: AppComposition, options: LintOptions = {}): LintResult {
  return lintAnalysis(analyzeComposition(composition), options);
}

/** Checks the plans of an app that was already composed (`app.plan()`): it has no structural problems. */
export function lintPlan(plan: AppPlan, options: LintOptions = {}): LintResult {
  return lintAnalysis({ plan, problems: [] }, options);
}

/** Checks every rule against an analysis already made (the CLI analyses once to print and lint). */
export function lintAnalysis(
  { plan, problems }: { readonly plan?: AppPlan | undefined; readonly problems: readonly GraphProblem[] },
  options: LintOptions = {},
): LintResult {
  const rules = [...KAS_LINT_RULES, ...(options.rules ?? [])];
  checkSettings(rules, options.settings ?? {});
  const graph = createLintGraph(plan ?? emptyPlan, problems, {
    acceptDelayLimitMs: DEFAULT_ACCEPT_DELAY_LIMIT_MS,
    ...options.limits,
  });
  const findings: LintFinding[] = [];
  const applied: AppliedRule[] = [];
  // A finding the rule gave no place points at the declaration of the first module it names.
  const declaredAt = new Map((plan?.modules ?? []).map((module) => [module.name, module.declaredAt]));
  for (const rule of rules) {
    const setting = options.settings?.[rule.code] ?? rule.severity;
    if (setting === 'off') {
      applied.push({ rule, setting, skipped: 'turned off' });
      continue;
    }
    if (plan === undefined && !isStructuralCode(rule.code)) {
      applied.push({ rule, setting, skipped: 'no plan: the graph has a start or stop cycle' });
      continue;
    }
    applied.push({ rule, setting });
    let listed = 0;
    try {
      for (const draft of rule.check(graph)) {
        if (listed === MAX_FINDINGS_PER_RULE) {
          findings.push(moreFindingsOf(rule.code, setting));
          break;
        }
        listed += 1;
        const location = draft.location ?? declaredAt.get(draft.modules[0] ?? '');
        findings.push({
          code: rule.code,
          severity: setting,
          message: draft.message,
          fix: draft.fix,
          modules: [...draft.modules],
          ...(location === undefined ? {} : { location }),
        });
      }
    } catch (error) {
      throw new LintRuleError(rule.code, error);
    }
  }
  return {
    findings,
    rules: applied,
    errorCount: findings.filter((finding) => finding.severity === 'error').length,
    warningCount: findings.filter((finding) => finding.severity === 'warn').length,
    ...(plan === undefined ? {} : { plan }),
  };
}

/** The finding that ends a rule's list once it reached `MAX_FINDINGS_PER_RULE`. */
function moreFindingsOf(code: string, severity: LintSeverity): LintFinding {
  return {
    code,
    severity,
    message: `more findings of ${code} than the first ${MAX_FINDINGS_PER_RULE.toLocaleString('en-US')}, which are listed: fix those and lint again to see the rest`,
    fix: `fix the findings of ${code} listed above (often one declaration, such as stop: { last: true } on an observer, fixes many), then run kas-graph lint again`,
    modules: [],
  };
}

function checkSettings(rules: readonly LintRule[], settings: Readonly<Record<string, LintSetting>>): void {
  const codes = new Set<string>();
  for (const rule of rules) {
    if (codes.has(rule.code)) {
      throw new CoreError(
        'KAS_INVALID_DECLARATION',
        `two lint rules have the code ${rule.code}`,
        'give each rule a unique code; a plugin prefixes its codes with its own name',
      );
    }
    codes.add(rule.code);
  }
  for (const [code, setting] of Object.entries(settings)) {
    if (!codes.has(code)) {
      throw new CoreError(
        'KAS_INVALID_DECLARATION',
        `no lint rule has the code ${code} (rules: ${[...codes].join(', ')})`,
        'correct the code, or load the plugin that defines it',
      );
    }
    if (!['off', 'warn', 'error'].includes(setting)) {
      throw new CoreError(
        'KAS_INVALID_DECLARATION',
        `lint rule ${code} set to ${JSON.stringify(setting)}`,
        "set a rule to 'off', 'warn' or 'error'",
      );
    }
    if (isStructuralCode(code) && setting !== 'error') {
      throw new CoreError(
        'KAS_INVALID_DECLARATION',
        `lint rule ${code} set to ${setting}, but structural rules stay errors: createApp refuses such a graph`,
        `remove the setting for ${code} and fix the graph`,
      );
    }
  }
}

const emptyPlan: AppPlan = {
  modules: [],
  start: { stages: [] },
  stop: { stages: [], edges: [], criticalPath: { stages: [], worstCaseMs: 0 } },
};
