import { CoreError } from '@kas/core';

/**
 * Thrown by `lintComposition` and `lintPlan` when a rule's `check` throws: names the rule, and keeps
 * what it threw as `cause`.
 */
export class LintRuleError extends CoreError<'KAS_GRAPH_RULE_FAILED'> {
  override readonly name = 'LintRuleError';

  constructor(
    /** The code of the rule that threw. */
    readonly rule: string,
    cause: unknown,
  ) {
    super(
      'KAS_GRAPH_RULE_FAILED',
      `lint rule ${rule} threw while checking the graph: ${String(cause)}`,
      "report it to the rule's author; turn the rule off with --rule CODE=off (or settings) meanwhile",
      { cause },
    );
  }
}
