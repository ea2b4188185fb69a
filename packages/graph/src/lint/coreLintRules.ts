import type { LintRule } from './LintRule.js';
import { acceptorBehindDrain } from './rules/acceptorBehindDrain.js';
import { advertiseAcceptSplit } from './rules/advertiseAcceptSplit.js';
import { alongsideInOneStage } from './rules/alongsideInOneStage.js';
import { budgetOverLimit } from './rules/budgetOverLimit.js';
import { misspeltTag } from './rules/misspeltTag.js';
import { observerStopsEarly } from './rules/observerStopsEarly.js';
import { orphanTag } from './rules/orphanTag.js';
import { outlivesDependency } from './rules/outlivesDependency.js';
import { STRUCTURAL_RULES } from './rules/structuralRules.js';
import { useOutlivesOwner } from './rules/useOutlivesOwner.js';

/** Every rule of `@kas/core`, in the order `kas-graph lint` checks and reports them. */
export const KAS_LINT_RULES: readonly LintRule[] = [
  ...STRUCTURAL_RULES,
  advertiseAcceptSplit,
  acceptorBehindDrain,
  alongsideInOneStage,
  useOutlivesOwner,
  outlivesDependency,
  observerStopsEarly,
  budgetOverLimit,
  misspeltTag,
  orphanTag,
];
