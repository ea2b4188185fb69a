import type { CutReason, DrainCutError } from '@kas/core';
import { formatDuration } from '@kas/core';

/** What a cut of busy tunnels is told as: to both ends of each cut tunnel, and in the log line. */
export interface DrainCutWords {
  /** Why the tunnel ended, after "the request to agent "…" was cut: " and "cancelled by kas: ". */
  readonly toEnds: string;
  /** When the cut came, after "cutting N tunnel(s) still busy ". */
  readonly inLog: string;
}

const CUT_REASONS: readonly CutReason[] = ['budget', 'signal', 'deadline'];

/**
 * Why a stop's `ctx.signal` fired: the core aborts it with a `DrainCutError`, whose `cutReason` says
 * (`budget`, `signal` or `deadline`). Read as a field, not by class: a signal fired by anything else
 * counts as the budget.
 */
export function cutReasonOf(signal: AbortSignal): CutReason {
  const reason = (signal.reason as Partial<Pick<DrainCutError, 'cutReason'>> | undefined)?.cutReason;
  return reason !== undefined && CUT_REASONS.includes(reason) ? reason : 'budget';
}

/** The words for a cut of `reason`; `budgetMs` is the server's drain budget (`agentGrpc.drainBudget`). */
export function drainCutWords(reason: CutReason, budgetMs: number): DrainCutWords {
  switch (reason) {
    case 'budget': {
      const budget = `agentGrpc.drainBudget, ${formatDuration(budgetMs)}`;
      return {
        toEnds: `the agent gRPC server reached its drain budget (${budget})`,
        inLog: `at the drain budget (${budget})`,
      };
    }
    case 'signal':
      return {
        toEnds: "a second stop signal cut the agent gRPC server's drain",
        inLog: 'when a second stop signal came',
      };
    case 'deadline':
      return {
        toEnds: "the shutdown deadline cut the agent gRPC server's drain",
        inLog: 'at the shutdown deadline',
      };
    default: {
      const unhandled: never = reason;
      throw new Error(`unhandled cut reason ${String(unhandled)}`);
    }
  }
}
