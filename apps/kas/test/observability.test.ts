import { once } from 'node:events';
import { connect } from 'node:net';
import { createApp, defineModule } from '@kas/core';
import { send } from '@kas/testkit';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { KasTelemetry } from '../src/observability/KasTelemetry.js';
import {
  KasTelemetryToken,
  ObservabilityEndpointToken,
  observabilityModule,
} from '../src/observability/observabilityModule.js';

/** A raw HEAD request on a connection of its own, read until the server has closed it. */
async function sendHead(url: string, path: string) {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await once(socket, 'connect');
  socket.write(`HEAD ${path} HTTP/1.1\r\nhost: ${hostname}\r\nconnection: close\r\n\r\n`);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  await once(socket, 'close'); // the answer ended: a stream's head too
  const [head = '', body] = Buffer.concat(chunks).toString().split('\r\n\r\n');
  const [statusLine = '', ...fields] = head.split('\r\n');
  const headers = Object.fromEntries(
    fields.map((field) => [
      field.slice(0, field.indexOf(':')).toLowerCase(),
      field.slice(field.indexOf(':') + 2),
    ]),
  );
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}

/** The headers that say what an answer is, leaving out those of its framing and time. */
function describingHeaders(headers: Readonly<Record<string, unknown>>) {
  const framing = ['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length'];
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !framing.includes(name)));
}

describe('the observability module', () => {
  let release: (() => void) | undefined;
  afterEach(() => release?.());

  it('is ready only between the end of start and the first moment of stop, and answers until it stops last', async () => {
    const draining = defineModule({
      name: 'kube-proxy',
      create: () => ({
        start: async () => {},
        stop: () =>
          new Promise<void>((resolve) => {
            release = resolve;
          }),
      }),
    });
    const telemetry = new KasTelemetry();
    const app = createApp({
      logger: pino({ level: 'silent' }),
      modules: [observabilityModule({ listenAddress: '127.0.0.1:0' }), draining],
      provide: [{ token: KasTelemetryToken, useValue: telemetry }],
    });
    telemetry.connect(app);
    await app.start();
    const { url } = app.get(ObservabilityEndpointToken);
    expect((await fetch(`${url}/readiness`)).status).toBe(200);

    const stopping = new Promise<void>((resolve) => {
      app.subscribe((event) => {
        if (event.type === 'module.stopping') resolve();
      });
    });
    const stopped = app.stop();
    await stopping;
    expect((await fetch(`${url}/readiness`)).status).toBe(503);
    expect((await fetch(`${url}/liveness`)).status).toBe(200);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/^kas_module_state\{module="kube-proxy",state="stopping"\} 1$/m);
    // The process's and Node's own, as every Node service exports them (prom-client's default metrics).
    for (const name of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_gc_duration_seconds',
    ]) {
      expect(metrics).toContain(`# TYPE ${name} `);
    }
    release?.();
    expect((await stopped).status).toBe('clean');
    await expect(fetch(`${url}/liveness`)).rejects.toThrow();
  });

  it('counts drain cuts, and stops that ignore their cut (module.stopOverdue), by module', async () => {
    const stubborn = defineModule({
      name: 'stubborn',
      drainBudget: 50,
      // ignores ctx.signal: returns only after the runner's 2 s grace past its cut
      create: () => ({
        start: async () => {},
        stop: () => new Promise<void>((done) => setTimeout(done, 2_300)),
      }),
    });
    const telemetry = new KasTelemetry();
    const app = createApp({ logger: pino({ level: 'silent' }), modules: [stubborn] });
    telemetry.connect(app);
    await app.start();
    await app.stop('test');
    const metrics = await telemetry.registry.metrics();
    expect(metrics).toMatch(/^kas_module_drain_cuts_total\{module="stubborn",reason="budget"\} 1$/m);
    expect(metrics).toMatch(/^kas_module_stops_overdue_total\{module="stubborn"\} 1$/m);
  });

  it('closes an idle keep-alive connection at its keepAliveTimeout, and refuses a requestTimeout below headersTimeout', async () => {
    const telemetry = new KasTelemetry();
    const app = createApp({
      logger: pino({ level: 'silent' }),
      modules: [observabilityModule({ listenAddress: '127.0.0.1:0', keepAliveTimeout: '200ms' })],
      provide: [{ token: KasTelemetryToken, useValue: telemetry }],
    });
    telemetry.connect(app);
    await app.start();
    try {
      const { url } = app.get(ObservabilityEndpointToken);
      const { hostname, port } = new URL(url);
      const socket = connect(Number(port), hostname);
      await once(socket, 'connect');
      socket.write(`GET /liveness HTTP/1.1\r\nhost: ${hostname}\r\nconnection: keep-alive\r\n\r\n`);
      const [answer] = (await once(socket, 'data')) as [Buffer];
      expect(answer.toString()).toMatch(/^HTTP\/1\.1 200 OK/);
      await once(socket, 'close'); // the server ended the idle connection
    } finally {
      await app.stop();
    }
    expect(() =>
      observabilityModule({ listenAddress: '127.0.0.1:0', headersTimeout: '10s', requestTimeout: '1s' }),
    ).toThrow('requestTimeout: must not be shorter than headersTimeout');
  });

  it('answers HEAD as GET without a body, as load balancers and monitors check health', async () => {
    const telemetry = new KasTelemetry();
    const app = createApp({
      logger: pino({ level: 'silent' }),
      modules: [observabilityModule({ listenAddress: '127.0.0.1:0', debug: true })],
      provide: [{ token: KasTelemetryToken, useValue: telemetry }],
    });
    telemetry.connect(app);
    await app.start();
    try {
      const { url } = app.get(ObservabilityEndpointToken);
      for (const path of [
        '/readiness',
        '/liveness',
        '/metrics',
        '/debug/lifecycle',
        '/debug/lifecycle/ui/',
        '/debug/lifecycle/ui',
        '/nowhere',
      ]) {
        const get = await send(`${url}${path}`);
        const head = await sendHead(url, path);
        expect({
          path,
          status: head.status,
          headers: describingHeaders(head.headers),
          body: head.body,
        }).toEqual({
          path,
          status: get.status,
          headers: describingHeaders(get.headers),
          body: '',
        });
      }
      // The event stream's head, and the answer ends: a monitor's HEAD does not hold a stream open.
      const stream = await sendHead(url, '/debug/lifecycle/events');
      expect([stream.status, stream.headers['content-type'], stream.body]).toEqual([
        200,
        'text/event-stream',
        '',
      ]);
      expect(telemetry.lifecycle.streamSockets().size).toBe(0);
      const post = await send(`${url}/readiness`, { method: 'POST' });
      expect([post.status, post.headers.allow]).toEqual([405, 'GET, HEAD']);
    } finally {
      await app.stop();
    }
  });
});
