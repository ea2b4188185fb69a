import { fileURLToPath } from 'node:url';
import { type RunningProcess, signalUntilExit, startProcess } from '@kas/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../src/index.js';

const fixture = fileURLToPath(new URL('./fixtures/signalApp.mjs', import.meta.url));
const exitBeforeRun = fileURLToPath(new URL('./fixtures/exitBeforeRun.mjs', import.meta.url));

/** Sends `count` signals, each `gapMs` after the previous one (0: each in the next turn of the event loop). */
async function burst(child: RunningProcess, signal: NodeJS.Signals, count: number, gapMs: number) {
  for (let sent = 0; sent < count; sent += 1) {
    child.signal(signal);
    await new Promise((resolve) => (gapMs === 0 ? setImmediate(resolve) : setTimeout(resolve, gapMs)));
  }
}

describe('an app run as a real process', () => {
  let child: RunningProcess | undefined;
  afterEach(async () => {
    await child?.stop();
  });

  it('stops by its plan on SIGTERM and exits 0, logging each transition', async () => {
    child = startProcess(process.execPath, [fixture]);
    await child.waitForLog({ event: 'app.started' });
    child.signal('SIGTERM');
    expect(await child.exited).toEqual({ code: EXIT_CODES.clean, signal: null });
    const events = child
      .logs()
      .filter(
        (log) =>
          typeof log.event === 'string' && log.event !== 'stage.begin' && log.event !== 'stage.complete',
      )
      .map((log) => [log.event, log.module].filter(Boolean).join(' '));
    expect(events).toEqual([
      'app.starting',
      'module.starting store',
      'module.started store',
      'module.starting proxy',
      'module.started proxy',
      'app.started',
      'signal.received',
      'app.stopping',
      'module.stopping proxy',
      'module.stopped proxy',
      'module.stopping store',
      'module.stopped store',
      'app.stopped',
      'app.exiting',
    ]);
  });

  it("logs the process's warnings as process.warning lines, not Node's stderr text; a TLS server name set to an IP address only at debug (found by an operator trial: agentk printed DEP0123)", async () => {
    child = startProcess(process.execPath, [fixture], { env: { PROXY_WARN: '1' } });
    await child.waitForLog({ event: 'app.started' });
    child.signal('SIGTERM');
    expect(await child.exited).toEqual({ code: EXIT_CODES.clean, signal: null });
    expect(child.logs().filter((log) => log.event === 'process.warning')).toEqual([
      expect.objectContaining({
        level: 40,
        name: 'DeprecationWarning',
        code: 'DEP_PROXY',
        reason: 'proxy.legacy is deprecated',
      }),
    ]);
    expect(child.lines.filter((line) => line.stream === 'stderr').map((line) => line.text)).toEqual([]);
  });

  it('cuts every drain at a second signal and exits with the forced code', async () => {
    child = startProcess(process.execPath, [fixture], { env: { PROXY_DRAIN_MS: 'forever' } });
    await child.waitForLog({ event: 'app.started' });
    child.signal('SIGTERM');
    await child.waitForLog({ event: 'module.stopping', module: 'proxy' });
    child.signal('SIGINT');
    expect(await child.exited).toEqual({ code: EXIT_CODES.forced, signal: null });
    // The store's stop began after the force: its cut took nothing from it, so it is no warning.
    expect(child.logs().filter((log) => log.event === 'module.drainCut')).toMatchObject([
      { module: 'proxy', reason: 'signal', level: 40 },
      {
        module: 'store',
        reason: 'signal',
        preCut: true,
        level: 30,
        msg: 'module stop began after the stop was forced (signal): its signal had already fired',
      },
    ]);
    expect(child.logs().find((log) => log.msg === 'cutting in-flight work')).toMatchObject({
      module: 'proxy',
    });
    // The operator's choice, not a failure: a warning that says what forced the stop.
    expect(child.logs().slice(-2)).toMatchObject([
      {
        event: 'app.stopped',
        status: 'forced',
        forcedBy: 'signal',
        level: 40,
        msg: expect.stringMatching(/^app stopped forced by a second stop signal in /),
      },
      { event: 'app.exiting', exitCode: EXIT_CODES.forced },
    ]);
  });

  it('a third signal ends the wait for a module stuck in its stop: the stages after it run, exit 3 (found by a module author)', async () => {
    child = startProcess(process.execPath, [fixture], {
      env: { PROXY_DRAIN_MS: 'forever', PROXY_STOP: 'stuck' },
    });
    await child.waitForLog({ event: 'app.started' });
    child.signal('SIGTERM');
    await child.waitForLog({ event: 'module.stopping', module: 'proxy' });
    child.signal('SIGINT');
    await child.waitForLog({ msg: 'cutting in-flight work' });
    // Without the third signal, the store's stage would wait for the proxy until the deadline (over an hour).
    child.signal('SIGTERM');
    expect(await child.exited).toEqual({ code: EXIT_CODES.forced, signal: null });
    const logs = child.logs();
    expect(logs.filter((log) => log.event === 'signal.received').map((log) => log.action)).toEqual([
      'stop',
      'cut',
      'abandon',
    ]);
    // Once the third signal has come, no line says the stages wait for the proxy until the deadline (over
    // an hour) or a third signal: the wait ends 2s after the cut, and KAS_STOP_STUCK says so (as after the
    // deadline). (Found by an app author's trial: the overdue line, due at the same moment, said both.)
    const abandonAt = logs.findIndex((log) => log.event === 'signal.received' && log.action === 'abandon');
    expect(logs.slice(abandonAt).filter((log) => log.event === 'module.stopOverdue')).toEqual([]);
    // the stage after the stuck one ran, and the stuck module is named as stuck
    expect(logs.find((log) => log.event === 'module.stopped' && log.module === 'store')).toBeDefined();
    expect(logs.find((log) => log.event === 'module.failed' && log.module === 'proxy')).toMatchObject({
      error: {
        code: 'KAS_STOP_STUCK',
        message: 'module "proxy" was still stopping 1s after a third stop signal ended the wait for it',
      },
    });
    expect(logs.slice(-2)).toMatchObject([
      { event: 'app.stopped', status: 'forced', forcedBy: 'signal' },
      { event: 'app.exiting', exitCode: EXIT_CODES.forced },
    ]);
  });

  // Regression: the runner dropped its handlers before it had logged and exited, so a signal of the burst
  // that came then killed the process by its default action (exit by SIGTERM, 143 in a shell).
  it('a burst of 21 SIGTERMs during a drain ends with the forced code, never by the signal (6 runs)', async () => {
    for (let run = 0; run < 6; run += 1) {
      child = startProcess(process.execPath, [fixture], { env: { PROXY_DRAIN_MS: 'forever' } });
      await child.waitForLog({ event: 'app.started' });
      child.signal('SIGTERM');
      await child.waitForLog({ event: 'module.stopping', module: 'proxy' });
      await burst(child, 'SIGTERM', 20, 5);
      expect(await child.exited).toEqual({ code: EXIT_CODES.forced, signal: null });
      expect(child.logs().slice(-2)).toMatchObject([
        { event: 'app.stopped', status: 'forced' },
        { event: 'app.exiting', exitCode: EXIT_CODES.forced },
      ]);
    }
  });

  it('three SIGTERMs in a burst during a hanging start: the start is abandoned, the second signal cuts, exit 3 (4 runs)', async () => {
    for (let run = 0; run < 4; run += 1) {
      child = startProcess(process.execPath, [fixture], { env: { PROXY_START: 'hang' } });
      await child.waitForLog({ event: 'module.starting', module: 'proxy' });
      child.signal('SIGTERM');
      // Signals sent before the first is handled may be merged into one by the kernel: wait for it.
      await child.waitForLog({ event: 'signal.received' });
      await burst(child, 'SIGTERM', 2, 0);
      expect(await child.exited).toEqual({ code: EXIT_CODES.forced, signal: null });
      expect(child.logs().map((log) => log.event)).toContain('app.startFailed');
      expect(child.logs().slice(-2)).toMatchObject([
        { event: 'app.stopped', status: 'forced' },
        { event: 'app.exiting', exitCode: EXIT_CODES.forced },
      ]);
    }
  });

  // Regression: an entry that ended before app.run() by letting the event loop empty lost its signal
  // handlers in Node's teardown, and a signal then killed it by its default action (143, not its code).
  it('exitProcess ends a run that never got to app.run() with app.exiting and its code, never by a signal of a stream (3 runs)', async () => {
    for (let run = 0; run < 3; run += 1) {
      child = startProcess(process.execPath, [exitBeforeRun]);
      await child.waitForLine((line) => line.text === 'loading');
      expect(await signalUntilExit(child)).toEqual({ code: 2, signal: null });
      expect(child.logs().slice(-2)).toMatchObject([
        { event: 'fixture.notStarted' },
        {
          event: 'app.exiting',
          exitCode: 2,
          msg: 'exiting with code 2: the config was refused: nothing was started',
        },
      ]);
    }
  });
});
