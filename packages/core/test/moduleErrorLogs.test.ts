import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CoreError } from '../src/errors/CoreError.js';
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

  it('a factory that throws, or returns no instance with start and stop, fails the start naming the factory', async () => {
    vi.useRealTimers();
    // What a JavaScript module (no compiler to catch it) may hand back.
    const factories: Record<string, () => unknown> = {
      throws: () => {
        throw new Error('missing setting: url');
      },
      'no-stop': () => ({ async start() {} }),
      'async-create': async () => ({ start: async () => {}, stop: async () => {} }),
      nothing: () => undefined,
      'string-start': () => ({ start: 'yes', stop: async () => {} }),
    };
    const failures: Record<string, Readonly<Record<string, unknown>> | undefined> = {};
    for (const [name, create] of Object.entries(factories)) {
      const { logger, lines } = recordingLogger();
      const app = createApp({
        logger,
        modules: [ok('db'), { name, startAfter: ['db'], create } as ModuleDefinition],
      });
      await expect(app.start()).rejects.toMatchObject({ code: 'KAS_START_FAILED' });
      const failed = lines.find((line) => line.event === 'module.failed');
      expect(failed, name).toMatchObject({ level: 50, module: name, error: { code: 'KAS_START_FAILED' } });
      failures[name] = failed?.error;
      // the module that did start is stopped, as after any failed start
      expect(app.moduleStates().get('db'), name).toBe('stopped');
    }
    expect(failures.throws).toMatchObject({
      message: 'its factory (create) threw: missing setting: url',
      fix: expect.stringContaining(
        'fix the factory (create) of "throws" (the stack of its error says where it threw)',
      ),
      stack: expect.stringContaining('missing setting: url\n    at '),
    });
    expect(failures['no-stop']).toMatchObject({
      message:
        'the factory (create) of module "no-stop" returned an instance without stop as a function (stop: undefined)',
      fix: 'give the instance "no-stop" returns both hooks: start(ctx) and stop(ctx), each returning a Promise',
    });
    expect(failures['async-create']).toMatchObject({
      message: expect.stringContaining('the factory (create) of module "async-create" returned a Promise'),
      fix: expect.stringContaining('synchronous (not async)'),
    });
    expect(failures.nothing).toMatchObject({
      message: 'the factory (create) of module "nothing" returned undefined, not an instance',
    });
    expect(failures['string-start']).toMatchObject({
      message: expect.stringContaining('without start as a function (start: a string)'),
    });
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
    expect(lines.find((line) => line.event === 'module.failed')?.error).toMatchObject({
      code: 'KAS_STOP_STUCK',
      fix: expect.stringContaining('make the stop of "hang-stop" return when ctx.signal fires'),
    });
  });

  it('a stop forced by a second signal is a warning that says so; one forced by the deadline an error that says so (was: "app stopped forced", an error either way)', async () => {
    const stopForcedBy = async (force: 'signal' | 'deadline') => {
      const { logger, lines } = recordingLogger();
      // Drains until its signal fires, and then stops at once: nothing fails, only the cut forces the stop.
      const draining = defineModule({
        name: 'draining',
        startAfter: ['db'],
        drainBudget: '1h',
        create: () => ({
          start: async () => {},
          stop: (ctx: LifecycleContext) =>
            new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve())),
        }),
      });
      const app = createApp({ logger, modules: [ok('db'), draining], shutdownDeadline: '10s' });
      await app.start();
      const stopped = app.stop('test');
      await vi.advanceTimersByTimeAsync(1_000);
      if (force === 'signal') app.cut(); // what a second stop signal does
      await vi.advanceTimersByTimeAsync(10_000);
      const outcome = await stopped;
      return { outcome, line: lines.find((line) => line.event === 'app.stopped'), stop: app.snapshot().stop };
    };
    const bySignal = await stopForcedBy('signal');
    expect(bySignal.stop).toMatchObject({ status: 'forced', forcedBy: 'signal' }); // what live views read
    expect(bySignal.outcome).toMatchObject({ status: 'forced', forcedBy: 'signal', failed: [] });
    expect(bySignal.line).toMatchObject({ level: 40, status: 'forced', forcedBy: 'signal' });
    expect(bySignal.line?.msg).toBe('app stopped forced by a second stop signal in 1s');
    const byDeadline = await stopForcedBy('deadline');
    expect(byDeadline.outcome).toMatchObject({ status: 'forced', forcedBy: 'deadline', failed: [] });
    expect(byDeadline.line).toMatchObject({ level: 50, status: 'forced', forcedBy: 'deadline' });
    expect(byDeadline.line?.msg).toBe('app stopped forced by the shutdown deadline in 10s');
  });

  it("writes a mark's name as the line's mark: pino's name is the logger's, and a key twice loses one", async () => {
    const raw: string[] = [];
    const logger = pino({ name: 'kas', level: 'info' }, { write: (line: string) => raw.push(line) });
    const marking = defineModule({
      name: 'marking',
      create: () => ({
        start: async (ctx: LifecycleContext) => ctx.mark('ready.now', { n: 1 }),
        stop: async () => {},
      }),
    });
    const app = createApp({ logger, modules: [marking] });
    await app.start();
    await app.stop('test');
    const line = raw.find((text) => text.includes('"event":"module.mark"')) ?? '';
    expect(line.match(/"name":/g)).toHaveLength(1);
    expect(JSON.parse(line)).toMatchObject({
      name: 'kas',
      module: 'marking',
      mark: 'ready.now',
      data: { n: 1 },
    });
  });

  it("logs a stop error whose message ends a sentence without doubling its punctuation before the fix (was 'Connection is closed.. To fix')", async () => {
    const { logger, lines } = recordingLogger();
    const throwing = (name: string, message: string) =>
      defineModule({
        name,
        create: () => ({
          start: async () => {},
          stop: async () => {
            throw new Error(message);
          },
        }),
      });
    const app = createApp({
      logger,
      modules: [
        throwing('closed', 'Connection is closed.'),
        throwing('asking', 'is the server up?'),
        throwing('plain', 'socket hang up'),
      ],
    });
    await app.start();
    await app.stop('test');
    const logged = (module: string) =>
      lines.find((line) => line.event === 'module.failed' && line.module === module)?.msg;
    expect(logged('closed')).toMatch(
      /^module failed to stop: Connection is closed\. To fix: fix the stop of "closed"/,
    );
    expect(logged('asking')).toMatch(/^module failed to stop: is the server up\? To fix: /);
    expect(logged('plain')).toMatch(/^module failed to stop: socket hang up\. To fix: /);
  });

  it('gives an uncoded or Node-coded error KAS_STOP_FAILED (its own code in the message); a CoreError keeps its code', async () => {
    const { logger, lines } = recordingLogger();
    class AcmeError extends CoreError<'ACME_FLUSH_FAILED'> {}
    const throwing = (name: string, error: Error) =>
      defineModule({
        name,
        create: () => ({
          start: async () => {},
          stop: async () => {
            throw error;
          },
        }),
      });
    const app = createApp({
      logger,
      modules: [
        throwing('fs-user', Object.assign(new Error('cannot open /var/x'), { code: 'ENOENT' })),
        throwing('acme', new AcmeError('ACME_FLUSH_FAILED', 'the buffer was not flushed', 'flush it')),
      ],
    });
    await app.start();
    await app.stop('test');
    const failed = lines.filter((line) => line.event === 'module.failed');
    expect(failed.find((line) => line.module === 'fs-user')?.error).toMatchObject({
      code: 'KAS_STOP_FAILED',
      message: 'cannot open /var/x (ENOENT)',
      fix: expect.stringContaining('fix the stop of "fs-user"'),
    });
    expect(failed.find((line) => line.module === 'acme')?.error).toMatchObject({
      code: 'ACME_FLUSH_FAILED',
      fix: 'flush it',
    });
  });
});
