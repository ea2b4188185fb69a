import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type App, createApp, defineModule, type LifecycleContext } from '@kas/core';
import type { LifecycleSnapshot } from '@kas/core/snapshot';
import { type RunningProcess, send, startProcess } from '@kas/testkit';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createLifecycleDebug, type LifecycleDebug } from '../src/index.js';

/** The built `kas-graph` CLI (`@kas/graph`'s `dist/cli/main.js`), as `npx kas-graph` runs it. */
const KAS_GRAPH = join(dirname(fileURLToPath(import.meta.resolve('@kas/graph'))), 'cli/main.js');

const quickModule = (name: string, startAfter: readonly string[] = []) =>
  defineModule({
    name,
    startAfter,
    create: () => ({ start: async () => {}, stop: async () => {}, provides: {} }),
  });

describe('createLifecycleDebug: the lifecycle view of an app of your own', () => {
  let app: App | undefined;
  let debug: LifecycleDebug | undefined;
  let server: Server | undefined;
  let watch: RunningProcess | undefined;
  let releaseDrain = () => {};
  afterEach(async () => {
    await watch?.stop();
    releaseDrain();
    await app?.stop('test over');
    debug?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  });

  it('serves a plain @kas/core app on its own node:http listener: kas-graph watch follows its stop to the end, the page loads, other paths fall through to the app', async () => {
    // A store, an api that drains one request (reporting progress) until the test lets it go, and jobs.
    const api = defineModule({
      name: 'api',
      startAfter: ['store'],
      drainBudget: '1h',
      create: () => ({
        start: async () => {},
        stop: (ctx: LifecycleContext) =>
          new Promise<void>((resolve) => {
            ctx.progress({ state: 'draining', inFlight: 1 });
            releaseDrain = () => {
              ctx.progress({ state: 'stopped', inFlight: 0 });
              resolve();
            };
          }),
        provides: {},
      }),
    });
    app = createApp({
      logger: pino({ level: 'silent' }),
      modules: [quickModule('store'), api, quickModule('jobs', ['store'])],
    });
    const lifecycleDebug = createLifecycleDebug(app, { log: pino({ level: 'silent' }) });
    debug = lifecycleDebug;
    const fallThrough: string[] = [];
    server = createServer((request, response) => {
      if (lifecycleDebug.handle(request, response)) return;
      fallThrough.push(`${request.method} ${request.url}`);
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found (the app)\n');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await app.start();

    const snapshot = await send(`${url}/debug/lifecycle`);
    expect(snapshot.status).toBe(200);
    expect((JSON.parse(snapshot.body) as LifecycleSnapshot).state).toBe('running');
    const page = await send(`${url}/debug/lifecycle/ui/`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('<html');
    expect((await send(`${url}/debug/lifecycle/ui/main.js`)).status).toBe(200);
    const unknown = await send(`${url}/orders?id=1`);
    expect([unknown.status, unknown.body]).toEqual([404, 'not found (the app)\n']);
    expect((await send(`${url}/debug/lifecycle`, { method: 'POST' })).status).toBe(404);
    expect(fallThrough).toEqual(['GET /orders?id=1', 'POST /debug/lifecycle']);

    watch = startProcess(process.execPath, [KAS_GRAPH, 'watch', url]); // stdout is a pipe: plain lines
    await watch.waitForLine((line) => line.text === 'stop plan:');
    const stopped = app.stop('SIGTERM');
    await watch.waitForLine((line) => line.text.includes('api progress: draining · inFlight 1'));
    releaseDrain();
    expect((await stopped).status).toBe('clean');
    expect(await watch.exited).toEqual({ code: 0, signal: null });
    const output = watch.lines.map((line) => line.text).join('\n');
    expect(output).toMatch(/app\.stopped clean in /);
    expect(output).toMatch(/✓ api {2}completed in /);
    expect(output).toMatch(/✓ store {2}completed in /);
    expect(lifecycleDebug.streamSockets().size).toBe(0); // the stream ended with the stop
  });
});
