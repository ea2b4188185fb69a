import { once } from 'node:events';
import { connect } from 'node:net';
import { createApp, defineModule } from '@kas/core';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { KasTelemetry } from '../src/observability/KasTelemetry.js';
import {
  KasTelemetryToken,
  ObservabilityEndpointToken,
  observabilityModule,
} from '../src/observability/observabilityModule.js';

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
    expect(await (await fetch(`${url}/metrics`)).text()).toMatch(
      /^kas_module_state\{module="kube-proxy",state="stopping"\} 1$/m,
    );
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
});
