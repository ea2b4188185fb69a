import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type CoreError, createApp, defineModule, type LifecycleEvent } from '../src/index.js';
import { START_ABORT_GRACE_MS } from '../src/runner/ModuleRuntime.js';
import { startTestApp } from '../src/testing/index.js';
import { ProbeLog, probeModule } from './support/probeModule.js';

const silent = pino({ level: 'silent' });
const typesOf = (trace: readonly LifecycleEvent[], type: LifecycleEvent['type']) =>
  trace.filter((event) => event.type === type);

describe('the runner', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts stage by stage, members of a stage concurrently', async () => {
    const log = new ProbeLog();
    const { app, stop } = await startTestApp({
      modules: [
        probeModule(log, { name: 'store' }),
        probeModule(log, { name: 'left', startAfter: ['store'] }),
        probeModule(log, { name: 'right', startAfter: ['store'] }),
      ],
    });
    expect(app.plan().start.stages.map((stage) => stage.modules)).toEqual([['store'], ['left', 'right']]);
    expect(log.find('start', 'left')?.tick).toBe(log.find('start', 'right')?.tick);
    expect(app.state).toBe('running');
    await stop();
  });

  it('rolls back a failed start: aborts its stage and stops what had started by the stop plan', async () => {
    const log = new ProbeLog();
    const app = createApp({
      logger: silent,
      modules: [
        probeModule(log, { name: 'store' }),
        probeModule(log, { name: 'cache', startAfter: ['store'] }),
        probeModule(log, { name: 'slow', startAfter: ['cache'] }, { startMs: 5_000 }),
        probeModule(log, { name: 'broken', startAfter: ['cache'] }, { failStart: true }),
        probeModule(log, { name: 'never', startAfter: ['broken'] }),
      ],
    });
    const trace: LifecycleEvent[] = [];
    app.subscribe((event) => trace.push(event));
    const started = app.start().catch((error: CoreError) => error);
    await vi.advanceTimersByTimeAsync(0);
    const error = (await started) as CoreError;
    expect(error.code).toBe('KAS_START_FAILED');
    expect(error.message).toContain('module "broken" failed to start: broken could not start');
    expect(log.find('start', 'never')).toBeUndefined();
    // "slow" answered its abort by finishing its start: it counts as started, so the rollback stops it
    expect(log.order('stop')).toEqual(['slow', 'cache', 'store']);
    // A plain Error is a bug in the module: its line gets a stable code, a fix and the error's stack
    expect(typesOf(trace, 'module.failed')).toEqual([
      expect.objectContaining({
        module: 'broken',
        phase: 'start',
        error: expect.objectContaining({
          code: 'KAS_START_FAILED',
          message: 'broken could not start',
          fix: expect.stringContaining('fix the start of "broken"'),
          stack: expect.stringContaining('probeModule.ts'),
        }),
      }),
    ]);
    expect(app.state).toBe('stopped');
    expect(typesOf(trace, 'app.startFailed')).toHaveLength(1);
  });

  it('fails a start that takes longer than its start budget', async () => {
    const log = new ProbeLog();
    const app = createApp({
      logger: silent,
      modules: [
        probeModule(log, { name: 'store' }),
        probeModule(log, { name: 'hung', startAfter: ['store'], startBudget: '2s' }, { hangStart: true }),
      ],
    });
    const started = app.start().catch((error: CoreError) => error);
    await vi.advanceTimersByTimeAsync(1_999);
    expect(app.state).toBe('starting');
    await vi.advanceTimersByTimeAsync(1);
    expect(app.state).toBe('starting'); // it gets a grace to answer its signal
    await vi.advanceTimersByTimeAsync(START_ABORT_GRACE_MS);
    expect(((await started) as CoreError).code).toBe('KAS_START_TIMEOUT');
    expect(log.order('stop')).toEqual(['store']);
  });

  it("reports a timed-out module's own error when it answers its signal by rejecting", async () => {
    const unreachable = defineModule({
      name: 'redis-connection',
      startBudget: '3s',
      create: () => ({
        start: (ctx) =>
          new Promise<void>((_, reject) => {
            ctx.signal.addEventListener('abort', () =>
              reject(new Error('cannot reach redis at 127.0.0.1:1')),
            );
          }),
        stop: async () => {},
      }),
    });
    const started = createApp({ logger: silent, modules: [unreachable] })
      .start()
      .catch((error: CoreError) => error);
    await vi.advanceTimersByTimeAsync(3_000);
    const error = (await started) as CoreError;
    expect(error.code).toBe('KAS_START_TIMEOUT');
    expect(error.message).toBe(
      'module "redis-connection" did not start within its start budget of 3s: cannot reach redis at 127.0.0.1:1',
    );
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('cuts a drain at its budget: the module sees its signal fire, and the stop is still clean', async () => {
    const log = new ProbeLog();
    const { trace, stop } = await startTestApp({
      modules: [probeModule(log, { name: 'proxy', drainBudget: '90s' }, { stopMs: 'untilCut' })],
    });
    const stopped = stop();
    await vi.advanceTimersByTimeAsync(89_999);
    expect(log.find('cut', 'proxy')).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(await stopped).toMatchObject({ status: 'clean', cut: ['proxy'], failed: [] });
    expect(typesOf(trace, 'module.drainCut')).toMatchObject([
      { module: 'proxy', reason: 'budget', afterMs: 90_000 },
    ]);
  });

  it('bounds the whole stop by the shutdown deadline, cutting what still runs and giving up on what ignores it', async () => {
    const log = new ProbeLog();
    const app = createApp({
      logger: silent,
      shutdownDeadline: '1m',
      modules: [
        probeModule(log, { name: 'store' }),
        probeModule(log, { name: 'proxy', startAfter: ['store'], drainBudget: '1h' }, { stopMs: 'untilCut' }),
      ],
    });
    const trace: LifecycleEvent[] = [];
    app.subscribe((event) => trace.push(event));
    await app.start();
    const stopped = app.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    const outcome = await stopped;
    expect(outcome.status).toBe('forced');
    expect(typesOf(trace, 'shutdown.deadline')).toMatchObject([
      { deadlineMs: 60_000, pending: ['store', 'proxy'] },
    ]);
    const cuts = typesOf(trace, 'module.drainCut');
    expect(cuts).toMatchObject([
      { module: 'proxy', reason: 'deadline' },
      { module: 'store', reason: 'deadline', afterMs: 0, preCut: true },
    ]);
    expect(cuts[0]).not.toHaveProperty('preCut');
    expect(log.order('stopped')).toEqual(['proxy', 'store']);
  });

  it('cuts every drain at once on a second signal, including stages not yet begun', async () => {
    const log = new ProbeLog();
    const { app, trace } = await startTestApp({
      modules: [
        probeModule(log, { name: 'store', drainBudget: '1h' }, { stopMs: 'untilCut' }),
        probeModule(log, { name: 'proxy', startAfter: ['store'], drainBudget: '1h' }, { stopMs: 'untilCut' }),
      ],
    });
    const stopped = app.stop('SIGTERM');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(log.order('stop')).toEqual(['proxy']);
    app.cut('signal');
    await vi.advanceTimersByTimeAsync(0);
    const outcome = await stopped;
    expect(outcome).toMatchObject({ status: 'forced', cut: ['store', 'proxy'] });
    expect(
      typesOf(trace, 'module.drainCut').map(
        (event) => event.type === 'module.drainCut' && [event.module, event.reason, event.preCut ?? false],
      ),
    ).toEqual([
      ['proxy', 'signal', false],
      ['store', 'signal', true],
    ]);
  });

  it('logs and counts a throwing stop, with a code and the stack of its error, without holding back the others', async () => {
    const log = new ProbeLog();
    const { trace, stop } = await startTestApp({
      modules: [
        probeModule(log, { name: 'store' }),
        probeModule(log, { name: 'bad', startAfter: ['store'] }, { failStop: true }),
        probeModule(log, { name: 'good', startAfter: ['store'] }, { stopMs: 100 }),
      ],
    });
    const stopped = stop();
    await vi.advanceTimersByTimeAsync(100);
    expect(await stopped).toMatchObject({ status: 'failed', failed: ['bad'] });
    expect(log.order('stop').slice(0, 2).sort()).toEqual(['bad', 'good']);
    expect(log.order('stop')[2]).toBe('store');
    expect(typesOf(trace, 'module.failed')).toMatchObject([
      {
        module: 'bad',
        phase: 'stop',
        error: {
          code: 'KAS_STOP_FAILED',
          message: 'bad could not stop',
          fix: expect.stringContaining('fix the stop of "bad"'),
          stack: expect.stringContaining('probeModule.ts'),
        },
      },
    ]);
  });

  it('abandons a start when a stop is requested, and stops what had started', async () => {
    const log = new ProbeLog();
    const app = createApp({
      logger: silent,
      modules: [
        probeModule(log, { name: 'store' }),
        probeModule(log, { name: 'slow', startAfter: ['store'] }, { startMs: 10_000 }),
      ],
    });
    const started = app.start().catch((error: CoreError) => error.code);
    await vi.advanceTimersByTimeAsync(1_000);
    const stopped = app.stop('SIGTERM');
    await vi.advanceTimersByTimeAsync(0);
    expect(await started).toBe('KAS_START_ABORTED');
    expect(await stopped).toMatchObject({ status: 'clean' });
    expect(log.order('stop')).toEqual(['slow', 'store']);
  });

  it('refuses an illegal transition, naming the current state', async () => {
    const { app, stop } = await startTestApp({ modules: [probeModule(new ProbeLog(), { name: 'store' })] });
    await expect(app.start()).rejects.toMatchObject({
      code: 'KAS_ILLEGAL_STATE',
      message: 'cannot start: the app is running',
    });
    await stop();
  });

  it('emits every transition as a typed event with durations', async () => {
    const { trace, stop } = await startTestApp({
      modules: [probeModule(new ProbeLog(), { name: 'store' }, { stopMs: 250 })],
    });
    const stopped = stop();
    await vi.advanceTimersByTimeAsync(250);
    await stopped;
    expect(trace.map((event) => event.type)).toEqual([
      'app.starting',
      'stage.begin',
      'module.starting',
      'module.started',
      'stage.complete',
      'app.started',
      'app.stopping',
      'stage.begin',
      'module.stopping',
      'module.stopped',
      'stage.complete',
      'app.stopped',
    ]);
    expect(typesOf(trace, 'module.stopped')).toMatchObject([
      { module: 'store', stage: 'store', durationMs: 250 },
    ]);
  });
});

describe('the runner with budgets near the longest a timer waits', () => {
  it('stops clean when the stages add up past 24.8 days: a deadline no timer reaches is not armed (it fired at once)', async () => {
    const log = new ProbeLog();
    const { stop } = await startTestApp({
      modules: [
        probeModule(log, { name: 'first', drainBudget: '20d' }, { stopMs: 50 }),
        probeModule(log, { name: 'second', drainBudget: '20d', startAfter: ['first'] }, { stopMs: 50 }),
      ],
    });
    expect(await stop()).toMatchObject({ status: 'clean', cut: [] });
  });
});
