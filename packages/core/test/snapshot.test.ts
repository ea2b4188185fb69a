import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createApp,
  defineModule,
  type LifecycleContext,
  type LifecycleEvent,
  type LifecycleSnapshot,
} from '../src/index.js';
import { applyLifecycleEvent, applyLifecycleEvents, foldLifecycleEvents } from '../src/snapshot/index.js';
import { startTestApp } from '../src/testing/index.js';
import { ProbeLog, probeModule } from './support/probeModule.js';

const silent = pino({ level: 'silent' });

/**
 * A kas-shaped app: `store` starts first; `edge` and `proxy` start after it and stop alongside each other;
 * `proxy` drains until told (or its budget), publishing its in-flight count as it goes.
 */
function drainingApp(drained: { finish?: () => void }) {
  const log = new ProbeLog();
  const proxy = defineModule({
    name: 'proxy',
    startAfter: ['store'],
    stop: { alongside: ['edge'] },
    drainBudget: '60s',
    create: () => ({
      async start() {},
      async stop(ctx: LifecycleContext) {
        ctx.progress({ state: 'draining', inFlight: 2 });
        await new Promise<void>((resolve) => {
          drained.finish = () => {
            ctx.progress({ state: 'draining', inFlight: 0 });
            resolve();
          };
          ctx.signal.addEventListener('abort', () => resolve());
        });
      },
    }),
  });
  return [
    probeModule(log, { name: 'store' }),
    probeModule(log, { name: 'edge', startAfter: ['store'], drainBudget: '10s' }, { stopMs: 50 }),
    proxy,
  ];
}

const stage = (snapshot: LifecycleSnapshot, id: string) =>
  snapshot.stages.find((candidate) => candidate.phase === 'stop' && candidate.id === id);
const moduleOf = (snapshot: LifecycleSnapshot, name: string) =>
  snapshot.modules.find((candidate) => candidate.name === name);

/** What a viewer cannot know from events alone: when it looked. */
function comparable(snapshot: LifecycleSnapshot | undefined) {
  if (snapshot === undefined) return undefined;
  const { at: _at, wallClock: _wallClock, wallClockAt: _wallClockAt, ...rest } = snapshot;
  return rest;
}

describe('the live snapshot', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('shows each stop stage and module with its state, start time, budget and deadline while the app stops', async () => {
    const drained: { finish?: () => void } = {};
    const { app } = await startTestApp({ modules: drainingApp(drained), shutdownDeadline: '5m' });
    const running = app.snapshot();
    expect(running.state).toBe('running');
    expect(running.stages.filter((candidate) => candidate.phase === 'start').map((s) => s.state)).toEqual([
      'completed',
      'completed',
    ]);
    expect(running.stages.filter((candidate) => candidate.phase === 'stop').map((s) => s.state)).toEqual([
      'waiting',
      'waiting',
      'waiting',
    ]);

    const stopped = app.stop('test');
    await vi.advanceTimersByTimeAsync(1_000);
    const midStop = app.snapshot();
    expect(midStop.state).toBe('stopping');
    expect(midStop.stop).toMatchObject({ reason: 'test', deadlineMs: 300_000, isDeadlinePassed: false });
    const stopBegan = midStop.stop?.beganAt as number;
    expect(midStop.stop?.deadlineAt).toBe(stopBegan + 300_000);
    expect(stage(midStop, 'edge')).toMatchObject({ state: 'completed', budgetMs: 10_000 });
    expect(stage(midStop, 'edge')?.durationMs).toBeGreaterThanOrEqual(50);
    const proxyStage = stage(midStop, 'proxy');
    expect(proxyStage).toMatchObject({ state: 'running', budgetMs: 60_000 });
    expect(proxyStage?.beganAt).toBe(stopBegan);
    expect(proxyStage?.deadlineAt).toBe((proxyStage?.beganAt as number) + 60_000);
    expect(stage(midStop, 'store')).toMatchObject({ state: 'waiting', follows: ['edge', 'proxy'] });
    const proxy = moduleOf(midStop, 'proxy');
    expect(proxy).toMatchObject({
      state: 'stopping',
      stage: 'proxy',
      budgetMs: 60_000,
      progress: { state: 'draining', inFlight: 2 },
    });
    expect(proxy?.deadlineAt).toBe((proxy?.since as number) + 60_000);
    expect(midStop.at - (proxy?.since as number)).toBeGreaterThanOrEqual(1_000);
    expect(moduleOf(midStop, 'edge')).toMatchObject({ state: 'stopped' });
    expect(moduleOf(midStop, 'store')).toMatchObject({ state: 'running' });

    drained.finish?.();
    await stopped;
    const end = app.snapshot();
    expect(end.state).toBe('stopped');
    expect(end.stop).toMatchObject({ status: 'clean', cut: [], failed: [] });
    expect(end.stages.every((candidate) => candidate.state === 'completed')).toBe(true);
    expect(moduleOf(end, 'proxy')?.progress).toEqual({ state: 'draining', inFlight: 0 });
  });

  it("is the fold of the app's own events: a viewer that replays them sees what the app sees", async () => {
    const drained: { finish?: () => void } = {};
    const app = createApp({ logger: silent, modules: drainingApp(drained) });
    const events: LifecycleEvent[] = [];
    app.subscribe((event) => events.push(event), { withProgress: true });
    await app.start();
    expect(comparable(foldLifecycleEvents(events))).toEqual(comparable(app.snapshot()));

    const stopped = app.stop('test');
    await vi.advanceTimersByTimeAsync(60_000); // the proxy's budget: its drain is cut
    await stopped;
    const folded = foldLifecycleEvents(events);
    expect(comparable(folded)).toEqual(comparable(app.snapshot()));
    expect(moduleOf(folded as LifecycleSnapshot, 'proxy')).toMatchObject({ state: 'stopped', cut: 'budget' });
  });

  it('is the same folded in batches (as a page folds what came between two frames) as event by event', async () => {
    const drained: { finish?: () => void } = {};
    const app = createApp({ logger: silent, modules: drainingApp(drained) });
    const events: LifecycleEvent[] = [];
    app.subscribe((event) => events.push(event), { withProgress: true });
    await app.start();
    const started = app.snapshot();
    const stopped = app.stop('test');
    await vi.advanceTimersByTimeAsync(60_000);
    await stopped;
    const stopEvents = events.slice(events.findIndex((event) => event.type === 'app.stopping'));
    const oneByOne = stopEvents.reduce(applyLifecycleEvent, started);
    let batched = started;
    for (let at = 0; at < stopEvents.length; at += 3)
      batched = applyLifecycleEvents(batched, stopEvents.slice(at, at + 3));
    expect(comparable(batched)).toEqual(comparable(oneByOne));
    expect(comparable(batched)).toEqual(comparable(app.snapshot()));
    expect(applyLifecycleEvents(started, [])).toBe(started);
  });

  it('marks stop stages that never began as skipped once the app has stopped', async () => {
    const log = new ProbeLog();
    const app = createApp({
      logger: silent,
      modules: [
        probeModule(log, { name: 'store' }),
        probeModule(log, { name: 'broken', startAfter: ['store'] }, { failStart: true }),
      ],
    });
    const events: LifecycleEvent[] = [];
    app.subscribe((event) => events.push(event));
    await expect(app.start()).rejects.toMatchObject({ code: 'KAS_START_FAILED' });
    const snapshot = app.snapshot();
    expect(snapshot.stages.map((candidate) => [candidate.phase, candidate.id, candidate.state])).toEqual([
      ['start', 'start-0', 'completed'],
      ['start', 'start-1', 'failed'],
      ['stop', 'broken', 'skipped'],
      ['stop', 'store', 'completed'],
    ]);
    expect(moduleOf(snapshot, 'broken')).toMatchObject({
      state: 'failed',
      error: { message: 'broken could not start' },
    });
    expect(comparable(foldLifecycleEvents(events))).toEqual(comparable(snapshot));
  });
});

describe('progress records', () => {
  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

  it('reach only listeners that ask for them, and the trace file; the snapshot keeps the latest', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'kas-core-progress-'));
    try {
      let publish: ((inFlight: number) => void) | undefined;
      const counter = defineModule({
        name: 'counter',
        create: () => ({
          async start(ctx: LifecycleContext) {
            publish = (inFlight) => ctx.progress({ inFlight });
          },
          async stop() {},
        }),
      });
      const traceFile = join(directory, 'trace.jsonl');
      const app = createApp({ logger: silent, modules: [counter], traceFile });
      const plain: LifecycleEvent[] = [];
      const watching: LifecycleEvent[] = [];
      app.subscribe((event) => plain.push(event));
      await app.start();
      publish?.(1);
      await nextTurn();
      const unsubscribe = app.subscribe((event) => watching.push(event), { withProgress: true });
      publish?.(2);
      await nextTurn();
      publish?.(3);
      await nextTurn();
      unsubscribe();
      publish?.(4);
      await nextTurn();
      expect(plain.some((event) => event.type === 'module.progress')).toBe(false);
      expect(
        watching.map((event) => event.type === 'module.progress' && [event.module, event.progress.inFlight]),
      ).toEqual([
        ['counter', 2],
        ['counter', 3],
      ]);
      expect(app.snapshot().modules[0]).toMatchObject({ name: 'counter', progress: { inFlight: 4 } });
      await app.stop();

      const trace = (await readFile(traceFile, 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as LifecycleEvent);
      expect(
        trace
          .filter((event) => event.type === 'module.progress')
          .map((event) => event.type === 'module.progress' && event.progress),
      ).toEqual([{ inFlight: 1 }, { inFlight: 2 }, { inFlight: 3 }, { inFlight: 4 }]);
      const starting = trace[0];
      expect(starting?.type === 'app.starting' && starting.plan.stop.stages.map((s) => s.id)).toEqual([
        'counter',
      ]);
      expect(trace.find((event) => event.type === 'app.stopping')).toMatchObject({ deadlineMs: 40_000 });
      expect(foldLifecycleEvents(trace)?.modules[0]?.progress).toEqual({ inFlight: 4 });
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it("reach startTestApp's trace, so a module's author can test what it reports", async () => {
    const reporting = defineModule({
      name: 'reporting',
      create: () => ({
        async start(ctx: LifecycleContext) {
          ctx.progress({ state: 'warming', done: 1 });
        },
        async stop() {},
      }),
    });
    const { trace, stop } = await startTestApp({ modules: [reporting] });
    await nextTurn();
    expect(trace.filter((event) => event.type === 'module.progress')).toMatchObject([
      { module: 'reporting', progress: { state: 'warming', done: 1 } },
    ]);
    await stop();
  });

  it("become one event per module and event-loop turn, the module's latest, before the next lifecycle event", async () => {
    let publish: ((inFlight: number) => void) | undefined;
    const burst = defineModule({
      name: 'burst',
      create: () => ({
        async start(ctx: LifecycleContext) {
          publish = (inFlight) => ctx.progress({ inFlight });
        },
        async stop(ctx: LifecycleContext) {
          for (let inFlight = 10_000; inFlight >= 0; inFlight--) ctx.progress({ inFlight });
        },
      }),
    });
    const app = createApp({ logger: silent, modules: [burst] });
    const events: LifecycleEvent[] = [];
    app.subscribe((event) => events.push(event), { withProgress: true });
    await app.start();
    publish?.(1);
    publish?.(2);
    await nextTurn();
    await app.stop();
    expect(
      events
        .filter((event) => event.type === 'module.progress' || event.type === 'module.stopped')
        .map((event) => (event.type === 'module.progress' ? event.progress.inFlight : event.type)),
    ).toEqual([2, 0, 'module.stopped']);
  });
});
