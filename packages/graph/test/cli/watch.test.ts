import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import {
  type App,
  createApp,
  type Duration,
  defineModule,
  type LifecycleContext,
  type LifecycleEvent,
} from '@kas/core';
import { freePort, startProcess } from '@kas/testkit';
import { pino } from 'pino';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { assertBuilt, packageDirectory, runKasGraph } from './runKasGraph.js';

describe('kas-graph watch', () => {
  let server: Server | undefined;
  beforeAll(assertBuilt);
  afterEach(async () => {
    server?.closeAllConnections();
    server?.close();
  });

  const serve = async (handler: Parameters<typeof createServer>[1], port = 0) => {
    server = createServer(handler);
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };

  /** Serves `app`'s lifecycle stream as kas does: its snapshot, then its events until it has stopped. */
  const serveApp = (app: App, onConnected: () => void = () => {}, port = 0) =>
    serve((_, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(`event: snapshot\ndata: ${JSON.stringify(app.snapshot())}\n\n`);
      const unsubscribe = app.subscribe(
        (event) => {
          response.write(`event: lifecycle\ndata: ${JSON.stringify(event)}\n\n`);
          if (event.type === 'app.stopped') {
            unsubscribe();
            response.end();
          }
        },
        { withProgress: true },
      );
      onConnected();
    }, port);

  it('says to set observability.debug when the listener does not serve the stream', async () => {
    const url = await serve((_, response) => response.writeHead(404).end('not found\n'));
    const run = await runKasGraph(['watch', url]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `kas-graph: KAS_GRAPH_WATCH_FAILED: ${url}/debug/lifecycle/events: not found: the listener does not serve the lifecycle stream`,
    );
    expect(run.stderr).toContain(
      'kas: set observability.debug: true in kas.yaml (or KAS_OBSERVABILITY__DEBUG=true) and restart kas; an app of your own: mount createLifecycleDebug(app) of @kas/lifecycle-view on its listener',
    );
  });

  it('names the address it cannot reach, and refuses what is not an http URL', async () => {
    const port = await freePort();
    const unreachable = await runKasGraph(['watch', `http://127.0.0.1:${port}`]);
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr).toContain(
      `KAS_GRAPH_WATCH_FAILED: http://127.0.0.1:${port}/debug/lifecycle/events: cannot connect`,
    );
    const notUrl = await runKasGraph(['watch', '127.0.0.1:8151']);
    expect(notUrl.code).toBe(2);
    expect(notUrl.stderr).toContain('KAS_GRAPH_USAGE');
  });

  it('fails when the stream ends before the replica stopped, after printing what it saw', async () => {
    const app = createApp({
      logger: pino({ level: 'silent' }),
      modules: [
        defineModule({
          name: 'web',
          create: () => ({ start: async () => {}, stop: async () => {}, provides: {} }),
        }),
      ],
    });
    const url = await serve((_, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end(`event: snapshot\ndata: ${JSON.stringify(app.snapshot())}\n\n`);
    });
    const run = await runKasGraph(['watch', url]);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(' · idle');
    expect(run.stdout).toContain('  · web  waiting, budget 30.0 s');
    expect(run.stderr).toContain('KAS_GRAPH_WATCH_FAILED');
    expect(run.stderr).toContain('the stream ended before the replica stopped');
  });

  it('on a terminal, redraws the view in place until the app has stopped (run under script(1) for a pty)', async () => {
    let release: (() => void) | undefined;
    const app = createApp({
      logger: pino({ level: 'silent' }),
      modules: [
        defineModule({
          name: 'web',
          drainBudget: '1h',
          create: () => ({
            start: async () => {},
            stop: (ctx) =>
              new Promise<void>((resolve) => {
                ctx.progress({ state: 'draining', inFlight: 2 });
                release = resolve;
              }),
            provides: {},
          }),
        }),
      ],
    });
    await app.start();
    const url = await serveApp(app);
    const cli = join(packageDirectory, 'dist/cli/main.js');
    const watch = startProcess('script', [
      '-qfec',
      `stty cols 120 rows 30; ${process.execPath} ${cli} watch ${url}`,
      '/dev/null',
    ]);
    try {
      await watch.waitForLine((line) =>
        stripVTControlCharacters(line.text).includes('· web  waiting, budget 1 h 00 m 00 s'),
      );
      const stopped = app.stop();
      await watch.waitForLine((line) =>
        /web — stopping, 59 m 5\d s left {2}draining · inFlight 2/.test(stripVTControlCharacters(line.text)),
      );
      release?.();
      await stopped;
      expect(await watch.exited).toEqual({ code: 0, signal: null });
      const output = watch.lines.map((line) => line.text).join('\n');
      expect(output).toContain('\u001b[1A'); // log-update moved the cursor up: redrawn in place
      expect(output).toContain('\u001b[32m✓ web'); // in green
      expect(stripVTControlCharacters(output)).toMatch(/✓ web {2}completed in /);
    } finally {
      await watch.stop();
    }
  });

  it('on a terminal, draws the events that came since its last frame at once, not a frame per event (a stop of 2,000 modules took 4 minutes of CPU to draw)', async () => {
    // 300 modules in 100 stop stages, one after another: hundreds of events, all sent at once.
    const modules = [];
    for (let stage = 0; stage < 100; stage++) {
      for (let member = 0; member < 3; member++) {
        const after = stage === 0 ? {} : { after: [`s${stage - 1}-m0`] };
        modules.push(
          defineModule({
            name: `s${stage}-m${member}`,
            stop: member === 0 ? after : { with: [`s${stage}-m0`] },
            create: () => ({
              start: async () => {},
              stop: async (ctx: LifecycleContext) => ctx.progress({ inFlight: member }),
              provides: {},
            }),
          }),
        );
      }
    }
    const app = createApp({ logger: pino({ level: 'silent' }), modules });
    const events: LifecycleEvent[] = [];
    await app.start();
    const snapshot = app.snapshot();
    app.subscribe((event) => events.push(event), { withProgress: true });
    await app.stop('test');
    const url = await serve((_, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(`event: snapshot\ndata: ${JSON.stringify(snapshot)}\n\n`);
      for (const event of events) response.write(`event: lifecycle\ndata: ${JSON.stringify(event)}\n\n`);
      response.end();
    });
    const watch = startProcess('script', [
      '-qfec',
      `stty rows 40 cols 160; ${watchCommandLine(url)}`,
      '/dev/null',
    ]);
    try {
      expect(await watch.exited).toEqual({ code: 0, signal: null });
      const output = stripVTControlCharacters(watch.lines.map((line) => line.text).join('\n'));
      expect(output).toMatch(/✓ s99-m0\+s99-m1\+s99-m2 {2}completed in /); // the last stage, as it ended
      // Each frame begins with the headline naming the source; the last view is printed once more whole.
      const frames = output.split(new URL(url).host).length - 1;
      expect(events.length).toBeGreaterThan(600);
      expect(frames).toBeLessThan(events.length / 10);
    } finally {
      await watch.stop();
    }
  });

  it('prints plain lines, not an empty redrawn view, on a pty that reports no size (rows and columns 0)', async () => {
    const app = createApp({ logger: pino({ level: 'silent' }), modules: [quickModule('web')] });
    await app.start();
    let stopped: Promise<unknown> | undefined;
    const url = await serveApp(app, () => {
      stopped = app.stop('test');
    });
    // script(1) with no terminal on its stdin gives the child a pty of 0 rows and 0 columns
    const watch = startProcess('script', [
      '-qfec',
      `stty rows 0 cols 0; ${watchCommandLine(url)}`,
      '/dev/null',
    ]);
    try {
      expect(await watch.exited).toEqual({ code: 0, signal: null });
      await stopped;
      const output = watch.lines.map((line) => line.text).join('\n');
      expect(output).not.toContain('\u001b[?25l'); // log-update hid the cursor, then drew into no rows
      expect(output).toMatch(/\[\+[^\]]+\] app\.stopped clean in /);
      expect(output).toMatch(/✓ web {2}completed in /);
    } finally {
      await watch.stop();
    }
  });

  it('on a terminal shorter than the view, keeps the headline and drops lines from the bottom, saying how many', async () => {
    let release: (() => void) | undefined;
    // m0 ... m7, each starting after the one before: eight stop stages, m7's first; 18 lines in all
    const names = Array.from({ length: 8 }, (_, index) => `m${index}`);
    const app = createApp({
      logger: pino({ level: 'silent' }),
      modules: names.map((name, index) =>
        defineModule({
          name,
          drainBudget: '1h',
          ...(index === 0 ? {} : { startAfter: [names[index - 1] ?? ''] }),
          create: () => ({
            start: async () => {},
            stop: (ctx: LifecycleContext) =>
              index === names.length - 1
                ? new Promise<void>((resolve) => {
                    ctx.progress({ state: 'draining' });
                    release = resolve;
                  })
                : Promise.resolve(),
            provides: {},
          }),
        }),
      ),
    });
    await app.start();
    const url = await serveApp(app);
    const watch = startProcess('script', [
      '-qfec',
      `stty rows 12 cols 120; ${watchCommandLine(url)}`,
      '/dev/null',
    ]);
    try {
      const text = (line: { readonly text: string }) => stripVTControlCharacters(line.text);
      await watch.waitForLine((line) => text(line).includes('· m7  waiting, budget 1 h 00 m 00 s'));
      const stopped = app.stop('test');
      await watch.waitForLine((line) => /m7 — stopping, 59 m 5\d s left {2}draining/.test(text(line)));
      // 18 lines in 11 rows (the cursor's line is the 12th): 10 of the view, then what was left out
      await watch.waitForLine((line) => text(line).includes('… 8 more lines'));
      const live = watch.lines.map(text);
      expect(live.some((line) => /^127\.0\.0\.1:\d+ · stopping · stopping \(test\) for /.test(line))).toBe(
        true,
      );
      expect(live).toContain('stop plan:');
      release?.();
      await stopped;
      expect(await watch.exited).toEqual({ code: 0, signal: null });
      // the last view is printed whole once the replica has stopped, down to the last stage
      expect(watch.lines.map(text).join('\n')).toMatch(/✓ m0 {2}completed in [^\n]*\n {4}m0 — stopped in /);
    } finally {
      await watch.stop();
    }
  });

  it('shows a forced stop as forced, by what, and exits 3 as kas does (a second stop signal cut the drain)', async () => {
    const app = createApp({
      logger: pino({ level: 'silent' }),
      modules: [drainsUntilCut('kube-proxy', '1h')],
    });
    await app.start();
    const unsubscribe = app.subscribe((event) => {
      if (event.type === 'module.stopping') app.cut('signal'); // the second SIGTERM
    });
    let stopped: Promise<unknown> | undefined;
    const url = await serveApp(app, () => {
      stopped = app.stop('SIGTERM');
    });
    const run = await runKasGraph(['watch', url]);
    await stopped;
    unsubscribe();
    expect(run.stderr).toBe('');
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/app\.stopped forced by a second stop signal in /);
    expect(run.stdout).toMatch(
      /· stopped · stop \(SIGTERM\) forced by a second stop signal in [^\n]* · cut: kube-proxy/,
    );
    // not ✓, as if it had stopped by itself: cut, by what, and which module
    expect(run.stdout).toMatch(
      /✂ kube-proxy {2}cut short by a second stop signal in [^\n]* \(budget 1 h 00 m 00 s\): kube-proxy\n/,
    );
    expect(run.stdout).not.toMatch(/✓ kube-proxy/);
  });

  it('shows a stage whose drain budget ran out as cut, naming the module cut, not with ✓ as a clean stop', async () => {
    const app = createApp({
      logger: pino({ level: 'silent' }),
      modules: [quickModule('redis-connection'), drainsUntilCut('kube-proxy', '50ms', ['redis-connection'])],
    });
    await app.start();
    let stopped: Promise<unknown> | undefined;
    const url = await serveApp(app, () => {
      stopped = app.stop('SIGTERM');
    });
    const run = await runKasGraph(['watch', url]);
    await stopped;
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0); // a cut at the drain budget keeps to the plan: the stop is clean
    expect(run.stdout).toMatch(
      /✂ kube-proxy {2}completed in [^\n]* \(budget 50 ms\); cut by its drain budget: kube-proxy\n {4}kube-proxy — stopped in [^\n]* cut \(budget\)/,
    );
    expect(run.stdout).not.toMatch(/✓ kube-proxy/);
    expect(run.stdout).toMatch(/✓ redis-connection {2}completed in /);
  });

  it('shows a stop stage whose module threw while stopping as failed (✗), naming it', async () => {
    const app = createApp({
      logger: pino({ level: 'silent' }),
      modules: [
        defineModule({
          name: 'audit-sink',
          create: () => ({
            start: async () => {},
            stop: async () => {
              throw new Error('disk full');
            },
            provides: {},
          }),
        }),
      ],
    });
    await app.start();
    let stopped: Promise<unknown> | undefined;
    const url = await serveApp(app, () => {
      stopped = app.stop('SIGTERM').catch(() => {});
    });
    const run = await runKasGraph(['watch', url]);
    await stopped;
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/✗ audit-sink {2}completed in [^\n]*; failed: audit-sink\n/);
  });

  describe('--record <file>', () => {
    let folder = '';
    beforeEach(async () => {
      folder = await mkdtemp(join(tmpdir(), 'kas-graph-record-'));
    });
    afterEach(async () => {
      await rm(folder, { recursive: true, force: true });
    });

    /** An app whose stop leaves a progress record and a mark in the trace. */
    const recordedApp = () =>
      createApp({
        logger: pino({ level: 'silent' }),
        modules: [
          quickModule('redis-connection'),
          defineModule({
            name: 'kube-proxy',
            startAfter: ['redis-connection'],
            create: () => ({
              start: async () => {},
              stop: async (ctx: LifecycleContext) => {
                ctx.progress({ state: 'draining', inFlight: 1 });
                ctx.mark('listener.closed');
              },
              provides: {},
            }),
          }),
        ],
      });

    /** `recordedApp` started and served: it stops at the first stream client, recording what it emits. */
    const serveRecordedStop = async () => {
      const app = recordedApp();
      await app.start();
      const emitted: LifecycleEvent[] = [];
      let unsubscribe = () => {};
      let stopping: Promise<unknown> | undefined;
      const url = await serveApp(app, () => {
        unsubscribe = app.subscribe((event) => emitted.push(event), { withProgress: true });
        stopping = app.stop('SIGTERM');
      });
      /** Resolves once the app has stopped; then `emitted` is complete. */
      const stopped = async () => {
        await stopping;
        unsubscribe();
      };
      return { url, emitted, stopped };
    };

    /** The trace file's events. */
    const readRecorded = async (path: string) =>
      (await readFile(path, 'utf8'))
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as LifecycleEvent);

    it("writes the app's events as it sent them, in order, as a trace that kas-graph timeline draws (without a terminal)", async () => {
      const { url, emitted, stopped } = await serveRecordedStop();
      // relative to the current directory, as an operator types it
      const run = await runKasGraph(['watch', url, '--record', 'stop.jsonl'], folder);
      await stopped();
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/✓ kube-proxy {2}completed in /); // still the plain view
      expect(run.stdout).toContain(`recorded ${emitted.length} lifecycle events to stop.jsonl\n`);
      // the events only: the snapshot the stream begins with is no trace line
      const recorded = await readRecorded(join(folder, 'stop.jsonl'));
      expect(recorded).toEqual(JSON.parse(JSON.stringify(emitted)));
      expect(recorded.map((event) => event.type)).toEqual(
        expect.arrayContaining(['app.stopping', 'module.progress', 'module.mark', 'app.stopped']),
      );

      const timeline = await runKasGraph(['timeline', 'stop.jsonl', '-o', 'stop.svg'], folder);
      expect(timeline.stderr).toBe('');
      expect(timeline.code).toBe(0);
      expect(await readFile(join(folder, 'stop.svg'), 'utf8')).toContain('listener.closed');
    });

    it('records the same events under the live terminal view, and says so below the last view', async () => {
      const { url, emitted, stopped } = await serveRecordedStop();
      const cli = join(packageDirectory, 'dist/cli/main.js');
      const watch = startProcess(
        'script',
        [
          '-qfec',
          `stty cols 120 rows 30; ${process.execPath} ${cli} watch ${url} --record stop.jsonl`,
          '/dev/null',
        ],
        { cwd: folder },
      );
      try {
        expect(await watch.exited).toEqual({ code: 0, signal: null });
        await stopped();
        const output = watch.lines.map((line) => line.text).join('\n');
        expect(output).toContain('\u001b[1A'); // the live view, redrawn in place
        const plain = stripVTControlCharacters(output);
        expect(plain).toMatch(
          new RegExp(
            `✓ kube-proxy {2}completed in [^\\n]*\\n(.*\\n)*recorded ${emitted.length} lifecycle events to stop\\.jsonl`,
          ),
        );
        expect(await readRecorded(join(folder, 'stop.jsonl'))).toEqual(JSON.parse(JSON.stringify(emitted)));
      } finally {
        await watch.stop();
      }
    });

    it('interrupted by Ctrl-C, leaves a trace of what it saw and says so', async () => {
      let release: (() => void) | undefined;
      const app = createApp({
        logger: pino({ level: 'silent' }),
        modules: [
          defineModule({
            name: 'kube-proxy',
            drainBudget: '1h',
            create: () => ({
              start: async () => {},
              stop: () =>
                new Promise<void>((resolve) => {
                  release = resolve;
                }),
              provides: {},
            }),
          }),
        ],
      });
      await app.start();
      let stopped: Promise<unknown> | undefined;
      const url = await serveApp(app, () => {
        stopped = app.stop('SIGTERM');
      });
      const file = join(folder, 'stop.jsonl');
      const watch = startProcess(process.execPath, [
        join(packageDirectory, 'dist/cli/main.js'),
        'watch',
        url,
        '--record',
        file,
      ]);
      try {
        await watch.waitForLine((line) => /\] module\.stopping kube-proxy$/.test(line.text));
        watch.signal('SIGINT');
        expect(await watch.exited).toEqual({ code: null, signal: 'SIGINT' });
        const recorded = await readRecorded(file);
        expect(recorded.at(-1)).toMatchObject({ type: 'module.stopping', module: 'kube-proxy' });
        expect(watch.lines.map((line) => line.text)).toContain(
          `recorded ${recorded.length} lifecycle events to ${file}`,
        );
        const timeline = await runKasGraph(['timeline', file, '-o', join(folder, 'stop.svg')]);
        expect(timeline.stderr).toBe('');
        expect(timeline.code).toBe(0);
      } finally {
        release?.();
        await stopped;
        await watch.stop();
      }
    });

    it('fails with KAS_GRAPH_OUTPUT_FAILED, before connecting, when the file cannot be opened', async () => {
      const port = await freePort(); // nothing listens: a watch that connected first would say so
      const file = join(folder, 'no-such-directory', 'stop.jsonl');
      const run = await runKasGraph(['watch', `http://127.0.0.1:${port}`, '--record', file]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(
        `kas-graph: KAS_GRAPH_OUTPUT_FAILED: --record ${file}: cannot open it for writing (ENOENT`,
      );
      expect(run.stderr).toContain('give a path in a directory that exists and is writable');
      expect(run.stderr).not.toContain('KAS_GRAPH_WATCH_FAILED');
    });

    it('fails with KAS_GRAPH_OUTPUT_FAILED, not as a broken stream, when the disk is full', async () => {
      const app = createApp({ logger: pino({ level: 'silent' }), modules: [quickModule('web')] });
      await app.start();
      let stopped: Promise<unknown> | undefined;
      const url = await serveApp(app, () => {
        stopped = app.stop('test');
      });
      const run = await runKasGraph(['watch', url, '--record', '/dev/full']);
      await stopped;
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(
        'KAS_GRAPH_OUTPUT_FAILED: --record /dev/full: cannot write event 1 (app.stopping) (ENOSPC',
      );
      expect(run.stdout).toContain('recorded 0 lifecycle events to /dev/full');
    });
  });

  it('watches a listener on a port fetch refuses ("bad port": 6000, 6665-6669, ...)', async () => {
    const app = createApp({ logger: pino({ level: 'silent' }), modules: [quickModule('web')] });
    await app.start();
    const port = await firstBindablePort(FETCH_BLOCKED_PORTS);
    if (port === undefined) {
      // every candidate is taken: watch still reaches whatever listens there, which fetch would refuse
      const run = await runKasGraph(['watch', `http://127.0.0.1:${FETCH_BLOCKED_PORTS[0]}`]);
      expect(run.stderr).not.toContain('bad port');
      await app.stop('test');
      return;
    }
    let stopped: Promise<unknown> | undefined;
    const url = await serveApp(
      app,
      () => {
        stopped = app.stop('test');
      },
      port,
    );
    expect(url).toBe(`http://127.0.0.1:${port}`);
    await expect(fetch(url)).rejects.toMatchObject({ cause: { message: 'bad port' } });
    const run = await runKasGraph(['watch', url]);
    await stopped;
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/✓ web {2}completed in /);
  });
});

/** A module that starts and stops at once. */
function quickModule(name: string) {
  return defineModule({
    name,
    create: () => ({ start: async () => {}, stop: async () => {}, provides: {} }),
  });
}

/**
 * A module whose stop drains until it is cut (a watch that never ends by itself): by its drain budget,
 * or by a second stop signal (its signal may be aborted already when it begins to stop).
 */
function drainsUntilCut(name: string, drainBudget: Duration, startAfter: readonly string[] = []) {
  return defineModule({
    name,
    startAfter,
    drainBudget,
    create: () => ({
      start: async () => {},
      stop: (ctx: LifecycleContext) =>
        new Promise<void>((resolve) => {
          if (ctx.signal.aborted) resolve();
          ctx.signal.addEventListener('abort', () => resolve());
        }),
      provides: {},
    }),
  });
}

/** `kas-graph watch <url>` as a shell command, run by the built CLI. */
function watchCommandLine(url: string): string {
  return `${process.execPath} ${join(packageDirectory, 'dist/cli/main.js')} watch ${url}`;
}

/** Ports on fetch's blocked list (the Fetch standard's "bad ports") that an unprivileged test may bind. */
const FETCH_BLOCKED_PORTS = [6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080, 5060, 5061, 4190];

/** The first of `ports` free on 127.0.0.1, or undefined when every one is taken. */
async function firstBindablePort(ports: readonly number[]): Promise<number | undefined> {
  for (const port of ports) {
    const probe = createServer();
    const isFree = await new Promise<boolean>((resolve) => {
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (isFree) {
      probe.close();
      await once(probe, 'close');
      return port;
    }
  }
  return undefined;
}
