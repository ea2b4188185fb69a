import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { createApp, defineModule } from '@kas/core';
import { freePort, startProcess } from '@kas/testkit';
import { pino } from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, packageDirectory, runKasGraph } from './runKasGraph.js';

describe('kas-graph watch', () => {
  let server: Server | undefined;
  beforeAll(assertBuilt);
  afterEach(async () => {
    server?.closeAllConnections();
    server?.close();
  });

  const serve = async (handler: Parameters<typeof createServer>[1]) => {
    server = createServer(handler);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };

  it('says to set observability.debug when the listener does not serve the stream', async () => {
    const url = await serve((_, response) => response.writeHead(404).end('not found\n'));
    const run = await runKasGraph(['watch', url]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `kas-graph: KAS_GRAPH_WATCH_FAILED: ${url}/debug/lifecycle/events: not found: the listener does not serve the lifecycle stream`,
    );
    expect(run.stderr).toContain(
      'set observability.debug: true in kas.yaml (or KAS_OBSERVABILITY__DEBUG=true)',
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
    const url = await serve((_, response) => {
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
    });
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
});
