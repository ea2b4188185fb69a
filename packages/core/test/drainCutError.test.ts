import { describe, expect, it } from 'vitest';
import { DrainCutError, defineModule } from '../src/index.js';
import { startTestApp } from '../src/testing/index.js';

describe("a stop signal's reason", () => {
  it('is a DrainCutError that says what cut the drain: the budget, or a second signal', async () => {
    const reasons: unknown[] = [];
    const holding = (name: string, drainBudget: number) =>
      defineModule({
        name,
        drainBudget,
        ...(name === 'b' ? { stop: { with: ['a'] } } : {}),
        create: () => ({
          start: async () => {},
          stop: (ctx) =>
            new Promise<void>((resolve) =>
              ctx.signal.addEventListener('abort', () => {
                reasons.push(ctx.signal.reason);
                resolve();
              }),
            ),
        }),
      });
    const app = await startTestApp({ modules: [holding('a', 20), holding('b', 60_000)] });
    const stopped = app.stop();
    await new Promise((resolve) => setTimeout(resolve, 100));
    app.app.cut('signal');
    await stopped;
    expect(reasons).toHaveLength(2);
    expect(reasons[0]).toBeInstanceOf(DrainCutError);
    expect(reasons[0]).toMatchObject({ code: 'KAS_DRAIN_CUT', cutReason: 'budget' });
    expect(reasons[1]).toMatchObject({ code: 'KAS_DRAIN_CUT', cutReason: 'signal' });
  });
});
