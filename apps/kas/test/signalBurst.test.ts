import { fileURLToPath } from 'node:url';
import { freePort, type RunningProcess, scaledMs, signalUntilExit } from '@kas/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { type KasProcess, startKasProcess } from './support/startKasProcess.js';
import { waitForStopHandlers } from './support/waitForStopHandlers.js';

/** Sends `count` signals, each `gapMs` after the previous one (0: each in the next turn of the event loop). */
async function burst(child: RunningProcess, count: number, gapMs: number): Promise<void> {
  for (let sent = 0; sent < count; sent += 1) {
    child.signal('SIGTERM');
    await new Promise((resolve) => (gapMs === 0 ? setImmediate(resolve) : setTimeout(resolve, gapMs)));
  }
}

const signalsSeen = (child: RunningProcess) => child.logs().filter((log) => log.event === 'signal.received');

// Regression: the runner dropped its signal handlers before it had logged and exited, so a signal of a
// burst that came in that moment killed kas by the signal's default action (143 in a shell, not 3).
describe('kas under a burst of signals', () => {
  let kas: KasProcess | undefined;
  afterEach(async () => {
    await kas?.stop();
    kas = undefined;
  });

  it('21 SIGTERMs within about 100 ms during a drain: exit 3 (forced), never killed by the signal (4 runs)', {
    timeout: scaledMs(60_000),
  }, async () => {
    for (let run = 0; run < 4; run += 1) {
      // The listen grace holds the kube proxy's stop: a drain that only the second signal ends.
      kas = await startKasProcess({ config: { kubeProxy: { listenGrace: '1h' } } });
      const child = kas.process;
      child.signal('SIGTERM');
      await child.waitForLog({ event: 'module.stopping', module: 'kube-proxy' });
      await burst(child, 20, 5);
      expect(await child.exited).toEqual({ code: 3, signal: null });
      expect(child.logs().slice(-2)).toMatchObject([
        { event: 'app.stopped', status: 'forced' },
        { event: 'app.exiting', exitCode: 3 },
      ]);
      await kas.stop();
    }
  });

  it('three SIGTERMs in one burst during a start that hangs on an unreachable Redis: exit 3 when a second one was seen before the stop ended, else 0; never killed by a signal (4 runs)', {
    timeout: scaledMs(60_000),
  }, async () => {
    for (let run = 0; run < 4; run += 1) {
      const nothingListens = await freePort();
      kas = await startKasProcess({ redisUrl: `redis://127.0.0.1:${nothingListens}`, waitFor: 'spawned' });
      const child = kas.process;
      await child.waitForLog({ event: 'module.starting', module: 'redis-connection' });
      await burst(child, 3, 0);
      const exit = await child.exited;
      const cuts = signalsSeen(child).filter((log) => log.action === 'cut');
      expect(exit).toEqual({ code: cuts.length > 0 ? 3 : 0, signal: null });
      expect(child.logs().map((log) => log.event)).toContain('app.startFailed');
      expect(child.logs().slice(-2)).toMatchObject([
        { event: 'app.stopped' },
        { event: 'app.exiting', exitCode: exit.code },
      ]);
      await kas.stop();
    }
  });

  it('a signal while kas loads its config and modules: exit 0 once loading is done, with one line saying nothing was started (was: killed by the signal, 143, no line)', {
    timeout: scaledMs(30_000),
  }, async () => {
    for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
      const slowImport = fileURLToPath(new URL('./fixtures/modules/slow-import.mjs', import.meta.url));
      kas = await startKasProcess({
        config: { modules: [slowImport] as unknown as Record<string, unknown> },
        waitFor: 'spawned',
      });
      const child = kas.process;
      await child.waitForLine((line) => line.text === 'slow-import: loading');
      child.signal(signal);
      expect(await child.exited).toEqual({ code: 0, signal: null });
      expect(child.logs().map((log) => log.event)).toEqual(['app.notStarted', 'app.exiting']);
      expect(child.logs()[0]).toMatchObject({ signal, msg: expect.stringContaining('nothing was started') });
      expect(child.logs()[1]).toMatchObject({
        exitCode: 0,
        msg: 'exiting with code 0: a stop signal came while kas was loading: nothing was started',
      });
      await kas.stop();
    }
  });

  // Regression: the loading-time handlers were removed before kas had said it would not start, so a
  // signal that came while it ended killed it by the default action (143, after its last line).
  it('SIGTERMs from the first line of its code until it exits: exit 0, never killed by the signal, the last line app.exiting (3 runs)', {
    timeout: scaledMs(60_000),
  }, async () => {
    for (let run = 0; run < 3; run += 1) {
      kas = await startKasProcess({ waitFor: 'spawned' });
      const child = kas.process;
      await waitForStopHandlers(child.pid);
      const exit = await signalUntilExit(child);
      expect(exit).toEqual({ code: 0, signal: null });
      expect(child.logs().map((log) => log.event)).toEqual(['app.notStarted', 'app.exiting']);
      expect(child.logs()[0]).toMatchObject({ signal: 'SIGTERM' });
      expect(child.logs()[1]).toMatchObject({ exitCode: 0 });
      await kas.stop();
    }
  });

  it('SIGTERMs while a kas with a bad config loads and refuses it: exit 2, never killed by the signal, the refusal and app.exiting its last lines (3 runs)', {
    timeout: scaledMs(60_000),
  }, async () => {
    for (let run = 0; run < 3; run += 1) {
      kas = await startKasProcess({ config: { observability: { debug: 'yes please' } }, waitFor: 'spawned' });
      const child = kas.process;
      await waitForStopHandlers(child.pid);
      const exit = await signalUntilExit(child);
      expect(exit).toEqual({ code: 2, signal: null });
      expect(child.logs()).toMatchObject([
        { event: 'kas.notStarted', code: 'KAS_CONFIG_INVALID' },
        { event: 'app.exiting', exitCode: 2 },
      ]);
      await kas.stop();
    }
  });

  it('one SIGTERM at points from the first line of its code to its start: exit 0, never killed by the signal, and a line says what the signal did', {
    timeout: scaledMs(90_000),
  }, async () => {
    const after = (ms: number) => () => new Promise((resolve) => setTimeout(resolve, ms));
    const points: readonly ((child: RunningProcess) => Promise<unknown>)[] = [
      after(0), // the handlers are in: loading has not begun
      after(50),
      after(250),
      (child) => child.waitForLog({ event: 'app.starting' }, 30_000), // the runner's handlers took over
      (child) => child.waitForLog({ event: 'app.started' }, 30_000),
    ];
    for (const point of points) {
      kas = await startKasProcess({ waitFor: 'spawned' });
      const child = kas.process;
      await waitForStopHandlers(child.pid);
      await point(child);
      child.signal('SIGTERM');
      expect(await child.exited).toEqual({ code: 0, signal: null });
      const heard = child
        .logs()
        .find((log) => log.event === 'app.notStarted' || log.event === 'signal.received');
      expect(heard).toMatchObject({ signal: 'SIGTERM' });
      expect(child.logs().at(-1)).toMatchObject({ event: 'app.exiting', exitCode: 0 });
      await kas.stop();
    }
  });

  it('SIGHUP stops a running kas by its stop plan, as SIGTERM does (was: killed at once, exit 129)', {
    timeout: scaledMs(30_000),
  }, async () => {
    kas = await startKasProcess();
    const child = kas.process;
    child.signal('SIGHUP');
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(child.logs().find((log) => log.event === 'signal.received')).toMatchObject({
      signal: 'SIGHUP',
      action: 'stop',
    });
    expect(child.logs().map((log) => log.event)).toContain('goaway.sent');
    expect(child.logs().slice(-2)).toMatchObject([
      { event: 'app.stopped', status: 'clean' },
      { event: 'app.exiting', exitCode: 0 },
    ]);
  });
});
