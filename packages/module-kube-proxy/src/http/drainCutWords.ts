import type { CutReason } from '@kas/core';
import { formatDuration } from '@kas/core';

/** What a drain cut is told as: to the client (a `Status`, a close frame's reason) and in the log line. */
export interface DrainCutWords {
  /** What cut the drain. */
  readonly reason: CutReason;
  /** Why the client's request ended; short enough for a close frame after "kas ended the connection: ". */
  readonly toClient: string;
  /** When the cut came, after "cut N request(s) still in flight " (or "kas cut the upgraded connection … "). */
  readonly inLog: string;
}

/** The words for a cut of `reason`; `budgetKey` is the kas.yaml key of the budget (`kubeProxy.drainBudget`). */
export function drainCutWords(reason: CutReason, budgetKey: string, budgetMs: number): DrainCutWords {
  switch (reason) {
    case 'budget':
      return {
        reason,
        toClient: `the replica is stopping; its drain budget (${budgetKey}, ${formatDuration(budgetMs)}) ended: reconnect`,
        inLog: 'at the drain budget',
      };
    case 'signal':
      return {
        reason,
        toClient: 'the replica is stopping; a second stop signal cut its drain: reconnect',
        inLog: 'when a second stop signal came',
      };
    case 'deadline':
      return {
        reason,
        toClient: 'the replica is stopping; its shutdown deadline ended the drain: reconnect',
        inLog: 'at the shutdown deadline',
      };
    default: {
      const unhandled: never = reason;
      throw new Error(`unhandled cut reason ${String(unhandled)}`);
    }
  }
}
