import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, defineModule, type LifecycleEvent } from '@kas/core';
import type { LifecycleSnapshot } from '@kas/core/snapshot';
import {
  eventually,
  type OpenStream,
  openStream,
  type RunningProcess,
  send,
  startProcess,
} from '@kas/testkit';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { KasTelemetry } from '../src/observability/KasTelemetry.js';
import {
  KasTelemetryToken,
  ObservabilityEndpointToken,
  observabilityModule,
} from '../src/observability/observabilityModule.js';
import { startDevKas } from './support/startDevKas.js';

/** One Server-Sent Event as the stream's lines carry it. */
interface StreamMessage {
  readonly event: string;
  readonly data: unknown;
}

/** The events of a stream so far (`event:` + `data:` lines, ended by an empty line). */
function messagesOf(stream: OpenStream): StreamMessage[] {
  const messages: StreamMessage[] = [];
  let event = 'message';
  for (const line of stream.lines) {
    if (line.startsWith('event: ')) event = line.slice('event: '.length);
    else if (line.startsWith('data: ')) {
      messages.push({ event, data: JSON.parse(line.slice('data: '.length)) });
      event = 'message';
    }
  }
  return messages;
}

function lifecycleEvents(stream: OpenStream): LifecycleEvent[] {
  return messagesOf(stream)
    .filter((message) => message.event === 'lifecycle')
    .map((message) => message.data as LifecycleEvent);
}

describe('the lifecycle debug endpoints of a kas process', () => {
  let kas: RunningProcess | undefined;
  let watch: RunningProcess | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await watch?.stop();
    await kas?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('with observability.debug (on in dev mode), serve the snapshot and a stream of the whole stop with progress records, and never a secret', async () => {
    dir = await mkdtemp(join(tmpdir(), 'kas-debug-'));
    const devDir = join(dir, 'dev');
    kas = startDevKas(dir);
    const ready = await kas.waitForLog({ event: 'dev.ready' }, 20_000);
    const url = String((await kas.waitForLog({ msg: 'observability listening' })).url);

    const answer = await send(`${url}/debug/lifecycle`);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json');
    const snapshot = JSON.parse(answer.body) as LifecycleSnapshot;
    expect(snapshot.state).toBe('running');
    const stopStages = snapshot.stages.filter((stage) => stage.phase === 'stop');
    expect(stopStages.map((stage) => [...stage.members].sort())).toContainEqual([
      'agent-grpc-server',
      'tunnel-tracker',
    ]);
    expect(stopStages.find((stage) => stage.members.includes('kube-proxy'))).toMatchObject({
      state: 'waiting',
      budgetMs: 5_000,
    });
    expect(snapshot.modules.every((module) => module.state === 'running')).toBe(true);

    // The page and the fold it loads, from the same listener.
    const folder = await send(`${url}/debug/lifecycle/ui`);
    expect([folder.status, folder.headers.location]).toEqual([301, '/debug/lifecycle/ui/']);
    const page = await send(`${url}/debug/lifecycle/ui/`);
    expect([page.status, page.headers['content-type']]).toEqual([200, 'text/html; charset=utf-8']);
    const fold = await send(`${url}/debug/lifecycle/ui/snapshot/applyLifecycleEvent.js`);
    expect([fold.status, fold.headers['content-type']]).toEqual([200, 'text/javascript; charset=utf-8']);
    expect((await send(`${url}/debug/lifecycle/ui/snapshot/../../main.js`)).status).toBe(404);

    // A watch through the kube proxy, so the proxy has something to drain and reports it.
    watch = startProcess('kubectl', ['get', 'pods', '-w', '--cache-dir', join(dir, 'cache')], {
      env: { KUBECONFIG: String(ready.kubeconfig) },
    });
    await watch.waitForLine((line) => line.text.includes('web-0'), 20_000);

    const stream = await openStream(`${url}/debug/lifecycle/events`);
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toBe('text/event-stream');
    const first = await eventually(() => messagesOf(stream)[0] ?? false);
    expect(first.event).toBe('snapshot');
    expect((first.data as LifecycleSnapshot).state).toBe('running');

    kas.signal('SIGTERM');
    const draining = await eventually(() => {
      const progress = lifecycleEvents(stream).find(
        (event) =>
          event.type === 'module.progress' &&
          event.module === 'kube-proxy' &&
          event.progress.state === 'draining',
      );
      return progress ?? false;
    });
    expect(draining).toMatchObject({ progress: { watches: 1, inFlight: 1 } });
    await watch.stop(); // the watch ends: the proxy's drain completes before its budget

    expect(await stream.ended).toBe('end');
    expect(await kas.exited).toEqual({ code: 0, signal: null });
    const events = lifecycleEvents(stream);
    expect(events[0]?.type).toBe('signal.received');
    expect(events.at(-1)).toMatchObject({ type: 'app.stopped', status: 'clean' });
    expect(events.filter((event) => event.type === 'stage.complete' && event.phase === 'stop')).toHaveLength(
      stopStages.length,
    );
    expect(
      events.some(
        (event) =>
          event.type === 'module.progress' &&
          event.module === 'agent-grpc-server' &&
          typeof event.progress.connections === 'number',
      ),
    ).toBe(true);

    const secrets = [
      await readFile(join(devDir, 'agent.token'), 'utf8'),
      await readFile(join(devDir, 'private-api.secret'), 'utf8'),
      /token: (\S+)/.exec(await readFile(String(ready.kubeconfig), 'utf8'))?.[1] as string,
      (await readFile(join(devDir, 'tls-key.pem'), 'utf8')).split('\n')[1] as string,
    ];
    expect(secrets.every((secret) => secret.length >= 20)).toBe(true);
    const served = `${answer.body}\n${stream.lines.join('\n')}`;
    for (const secret of secrets) expect(served).not.toContain(secret);
    for (const part of secrets.map((secret) => secret.split(':').at(-1) as string))
      expect(served).not.toContain(part);
  });

  it('without observability.debug, answer 404 on /debug paths, saying how to turn the view on', async () => {
    dir = await mkdtemp(join(tmpdir(), 'kas-debug-'));
    // an override applies to dev mode's config too
    kas = startDevKas(dir, [], { env: { KAS_OBSERVABILITY__DEBUG: 'false' } });
    const ready = await kas.waitForLog({ event: 'dev.ready' }, 20_000);
    expect(ready.msg).toContain('The live lifecycle view is off: KAS_OBSERVABILITY__DEBUG=true turns it on.');
    expect(ready).not.toHaveProperty('lifecyclePage');
    const url = String((await kas.waitForLog({ msg: 'observability listening' })).url);
    for (const path of ['/debug/lifecycle', '/debug/lifecycle/events', '/debug/lifecycle/ui/']) {
      const answer = await send(`${url}${path}`);
      expect(answer.status).toBe(404);
      expect(answer.body).toBe(
        'not found: try /metrics, /readiness, /liveness\nthe lifecycle view is off: set observability.debug: true (KAS_OBSERVABILITY__DEBUG=true)\n',
      );
    }
    // Other paths get the list only.
    expect((await send(`${url}/nowhere`)).body).toBe('not found: try /metrics, /readiness, /liveness\n');
  });
});

describe('a lifecycle stream', () => {
  let release: (() => void) | undefined;
  afterEach(() => release?.());

  it('sends heartbeat comments, and does not hold the listener: it ends right after app.stopped', async () => {
    const draining = defineModule({
      name: 'kube-proxy',
      drainBudget: '1h',
      create: () => ({
        start: async () => {},
        stop: (ctx) =>
          new Promise<void>((resolve) => {
            ctx.progress({ state: 'draining', inFlight: 1 });
            release = resolve;
          }),
      }),
    });
    const telemetry = new KasTelemetry({ lifecycle: { heartbeatMs: 20 } });
    const app = createApp({
      logger: pino({ level: 'silent' }),
      modules: [observabilityModule({ listenAddress: '127.0.0.1:0', debug: true }), draining],
      provide: [{ token: KasTelemetryToken, useValue: telemetry }],
    });
    telemetry.connect(app);
    await app.start();
    const { url } = app.get(ObservabilityEndpointToken);
    const stream = await openStream(`${url}/debug/lifecycle/events`);
    await eventually(() => stream.lines.filter((line) => line === ': heartbeat').length >= 2);

    const stopped = app.stop();
    await eventually(() =>
      lifecycleEvents(stream).some(
        (event) => event.type === 'module.progress' && event.module === 'kube-proxy',
      ),
    );
    const snapshot = JSON.parse((await send(`${url}/debug/lifecycle`)).body) as LifecycleSnapshot;
    expect(snapshot.modules.find((module) => module.name === 'kube-proxy')).toMatchObject({
      state: 'stopping',
      budgetMs: 3_600_000,
      progress: { state: 'draining', inFlight: 1 },
    });
    release?.();
    expect((await stopped).status).toBe('clean');
    expect(await stream.ended).toBe('end');
    expect(lifecycleEvents(stream).at(-1)?.type).toBe('app.stopped');
    await expect(fetch(`${url}/liveness`)).rejects.toThrow();
  });
});
