import { fileURLToPath } from 'node:url';
import { freePort, type RunningProcess, scaledMs } from '@kas/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { type KasProcess, startKasProcess } from './support/startKasProcess.js';

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
      expect(child.logs().map((log) => log.event)).toEqual(['app.notStarted']);
      expect(child.logs()[0]).toMatchObject({ signal, msg: expect.stringContaining('nothing was started') });
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
