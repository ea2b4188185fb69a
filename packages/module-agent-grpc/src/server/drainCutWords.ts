import type { CutReason } from '@kas/core';
import { formatDuration } from '@kas/core';

/** What a cut of busy tunnels is told as: to both ends of each cut tunnel, and in the log line. */
export interface DrainCutWords {
  /** Why the tunnel ended, after "the request to agent "…" was cut: " and "cancelled by kas: ". */
  readonly toEnds: string;
  /** When the cut came, after "cutting N tunnel(s) still busy ". */
  readonly inLog: string;
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
