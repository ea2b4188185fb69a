import { createApp, defineModule, type LifecycleEvent } from '@kas/core';
import { freePort } from '@kas/testkit';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { redisConnectionModule } from '../src/index.js';

describe('redis-connection when its start is abandoned', () => {
  it('says only that it was abandoned, not that Redis could not be reached (another module failed)', async () => {
    const port = await freePort(); // nothing listens: still connecting when the other module fails
    const failing = defineModule({
      name: 'observability',
      create: () => ({
        start: async () => {
          await new Promise((resolve) => setTimeout(resolve, 50));
          throw new Error('observability cannot listen on 127.0.0.1:8151 (EADDRINUSE)');
        },
        stop: async () => {},
      }),
    });
    const app = createApp({
      modules: [redisConnectionModule({ url: `redis://127.0.0.1:${port}` }), failing],
      logger: pino({ level: 'silent' }),
    });
    const trace: LifecycleEvent[] = [];
    app.subscribe((event) => trace.push(event));
    await expect(app.start()).rejects.toMatchObject({ code: 'KAS_START_FAILED' });
    const abandoned = trace.find(
      (event) => event.type === 'module.failed' && event.module === 'redis-connection',
    );
    expect(abandoned).toMatchObject({
      error: { code: 'KAS_START_ABORTED', message: 'start abandoned: "observability" failed to start' },
    });
  });
});
