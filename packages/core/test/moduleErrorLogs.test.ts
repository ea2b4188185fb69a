import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createApp,
  defineModule,
  type LifecycleContext,
  type LifecycleEvent,
  type ModuleDefinition,
} from '../src/index.js';
import { STOP_CUT_GRACE_MS } from '../src/runner/ModuleRuntime.js';

interface LogLine {
  readonly level: number;
  readonly module?: string;
  readonly event?: string;
  readonly msg: string;
  readonly error?: { readonly code?: string; readonly stack?: string };
  readonly [field: string]: unknown;
}

/** A logger whose JSON lines land in `lines`. */
function recordingLogger() {
  const lines: LogLine[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

const ok = (name: string, declaration: Pick<ModuleDefinition, 'startAfter' | 'stop'> = {}) =>
  defineModule({ name, ...declaration, create: () => ({ start: async () => {}, stop: async () => {} }) });

/** `boom`'s start throws a plain Error; `sibling`, of the same stage, answers its abort as `answer` says. */
function failingStage(answer: 'reject' | 'resolve', seen: string[]) {
  return [
    ok('db'),
    defineModule({
      name: 'boom',
      startAfter: ['db'],
      create: () => ({
        start: async () => {
          await new Promise((resolve) => setTimeout(resolve, 50));
          throw new Error('cannot open /var/lib/boom: EACCES');
        },
        stop: async () => {},
      }),
    }),
    defineModule({
      name: 'sibling',
      startAfter: ['db'],
      create: () => ({
        start: (ctx: LifecycleContext) =>
          new Promise<void>((resolve, reject) => {
            ctx.signal.addEventListener('abort', () =>
              answer === 'resolve' ? resolve() : reject(ctx.signal.reason),
            );
          }),
        stop: async () => {
          seen.push('stop:sibling');
        },
      }),
    }),
  ];
}

describe('what a module author reads in the log', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("a failed start has one error line, the failing module's with its stack; an aborted sibling's is a warning", async () => {
    const { logger, lines } = recordingLogger();
    const app = createApp({ logger, modules: failingStage('reject', []) });
    const started = app.start().catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(50);
    expect(await started).toMatchObject({ code: 'KAS_START_FAILED' });
    const errorLines = lines.filter((line) => line.level >= 50);
    expect(errorLines.map((line) => [line.module, line.event])).toEqual([['boom', 'module.failed']]);
    expect(errorLines[0]?.error?.stack).toContain('cannot open /var/lib/boom: EACCES\n    at ');
    expect(lines.filter((line) => line.module === 'sibling' && line.event === 'module.failed')).toMatchObject(
      [{ level: 40, error: { code: 'KAS_START_ABORTED' } }],
    );
  });

  it('a sibling whose start rejects when aborted did not start and is not stopped; one that resolves did, and is', async () => {
    for (const [answer, expected] of [
      ['reject', []],
      ['resolve', ['stop:sibling']],
    ] as const) {
      const seen: string[] = [];
      const app = createApp({ logger: pino({ level: 'silent' }), modules: failingStage(answer, seen) });
      const started = app.start().catch(() => undefined);
      await vi.advanceTimersByTimeAsync(50);
      await started;
      expect(seen, answer).toEqual(expected);
      expect(app.moduleStates().get('sibling'), answer).toBe(answer === 'reject' ? 'failed' : 'stopped');
    }
  });

  it('warns when a module has not returned from its stop some time after its cut, naming it and the deadline', async () => {
    const { logger, lines } = recordingLogger();
    const hang = defineModule({
      name: 'hang-stop',
      startAfter: ['db'],
      drainBudget: '1s',
      create: () => ({ start: async () => {}, stop: () => new Promise<void>(() => {}) }), // ignores its signal
    });
    const app = createApp({ logger, modules: [ok('db'), hang], shutdownDeadline: '60s' });
    const events: LifecycleEvent[] = [];
    app.subscribe((event) => events.push(event));
    await app.start();
    const stopped = app.stop('test');
    await vi.advanceTimersByTimeAsync(1_000 + STOP_CUT_GRACE_MS - 1);
    expect(lines.filter((line) => line.event === 'module.stopOverdue')).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    const overdue = lines.filter((line) => line.event === 'module.stopOverdue');
    expect(overdue).toMatchObject([
      {
        level: 40,
        module: 'hang-stop',
        reason: 'budget',
        deadlineInMs: 60_000 - 1_000 - STOP_CUT_GRACE_MS,
      },
    ]);
    expect(overdue[0]?.msg).toContain('wait for it until the shutdown deadline');
    // An event, not only a line: subscribers, traces and the live snapshot see it
    expect(events.filter((event) => event.type === 'module.stopOverdue')).toMatchObject([
      { module: 'hang-stop', stage: 'hang-stop', reason: 'budget', sinceCutMs: STOP_CUT_GRACE_MS },
    ]);
    expect(app.snapshot().modules.find((module) => module.name === 'hang-stop')).toMatchObject({
      state: 'stopping',
      cut: 'budget',
      overdueAt: expect.any(Number),
    });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(await stopped).toMatchObject({ status: 'forced', failed: ['hang-stop'] });
    expect(lines.filter((line) => line.event === 'module.stopOverdue')).toHaveLength(1);
  });
});
