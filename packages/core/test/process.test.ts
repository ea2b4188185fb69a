import { fileURLToPath } from 'node:url';
import { type RunningProcess, startProcess } from '@kas/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../src/index.js';

const fixture = fileURLToPath(new URL('./fixtures/signalApp.mjs', import.meta.url));

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
    ]);
  });

  it('cuts every drain at a second signal and exits with the forced code', async () => {
    child = startProcess(process.execPath, [fixture], { env: { PROXY_DRAIN_MS: 'forever' } });
    await child.waitForLog({ event: 'app.started' });
    child.signal('SIGTERM');
    await child.waitForLog({ event: 'module.stopping', module: 'proxy' });
    child.signal('SIGINT');
    expect(await child.exited).toEqual({ code: EXIT_CODES.forced, signal: null });
    expect(child.logs().find((log) => log.event === 'module.drainCut')).toMatchObject({
      module: 'proxy',
      reason: 'signal',
    });
    expect(child.logs().find((log) => log.msg === 'cutting in-flight work')).toMatchObject({
      module: 'proxy',
    });
    expect(child.logs().at(-1)).toMatchObject({ event: 'app.stopped', status: 'forced' });
  });
});
