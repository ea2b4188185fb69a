import { cutReasonOf, DrainCutError } from '@kas/core';
import { describe, expect, it } from 'vitest';
import { drainCutWords } from '../src/server/drainCutWords.js';

const abortedWith = (reason: unknown) => AbortSignal.abort(reason);

describe('the words of a tunnel cut', () => {
  it("reads what cut the drain from the core's DrainCutError, and counts any other abort as the budget", () => {
    expect(cutReasonOf(abortedWith(new DrainCutError('cut', 'none', 'signal')))).toBe('signal');
    expect(cutReasonOf(abortedWith(new DrainCutError('cut', 'none', 'deadline')))).toBe('deadline');
    expect(cutReasonOf(abortedWith(new Error('someone else')))).toBe('budget');
  });

  it('names the budget only when the budget cut the drain', () => {
    expect(drainCutWords('budget', 90_000).inLog).toBe('at the drain budget (agentGrpc.drainBudget, 1m 30s)');
    for (const reason of ['signal', 'deadline'] as const) {
      const words = drainCutWords(reason, 90_000);
      expect(`${words.inLog} ${words.toEnds}`).not.toContain('budget');
    }
    expect(drainCutWords('deadline', 90_000).toEnds).toBe(
      "the shutdown deadline cut the agent gRPC server's drain",
    );
  });
});
