import { createApp, defineModule } from '@kas/core';
import { applyLifecycleEvent } from '@kas/core/snapshot';
import pc from 'picocolors';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { renderLifecycle } from '../../src/cli/watch/renderLifecycle.js';

describe('renderLifecycle', () => {
  it("draws a full bar when watch's estimate of the replica's clock is behind the stage's begin (a 50 ms budget threw RangeError: Invalid count value)", () => {
    const app = createApp({
      logger: pino({ level: 'silent' }),
      modules: [
        defineModule({
          name: 'web',
          drainBudget: '50ms',
          create: () => ({ start: async () => {}, stop: async () => {}, provides: {} }),
        }),
      ],
    });
    let snapshot = app.snapshot();
    snapshot = applyLifecycleEvent(snapshot, {
      type: 'app.stopping',
      at: 1_000,
      reason: 'SIGTERM',
      deadlineMs: 40_000,
    });
    snapshot = applyLifecycleEvent(snapshot, {
      type: 'stage.begin',
      at: 1_000,
      phase: 'stop',
      stage: 'web',
      members: ['web'],
    });
    const view = renderLifecycle(snapshot, 995, { source: 'kas:8151', colors: pc.createColors(false) });
    expect(view).toContain(`▶ web  ${'█'.repeat(24)} 50 ms left of 50 ms`);
  });
});
