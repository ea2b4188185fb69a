import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, defineModule, type LifecycleContext } from '@kas/core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runKasGraph } from './runKasGraph.js';

const wait = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

/** A module whose stop marks `mark` at once and then drains for `stopMs` (until cut). */
const module = (name: string, declaration: object, stopMs: number, mark?: string) =>
  defineModule({
    name,
    ...declaration,
    create: () => ({
      start: async () => wait(5),
      stop: async (ctx: LifecycleContext) => {
        if (mark !== undefined) ctx.mark(mark, { connections: 3 });
        await wait(stopMs, ctx.signal);
      },
    }),
  });

/** Runs the pre-fix kas ordering for real (millisecond budgets) and records its trace. */
async function recordLegacyShutdown(traceFile: string): Promise<void> {
  const app = createApp({
    modules: [
      module('redis-connection', {}, 1),
      module('agent-grpc-server', { drainBudget: 1_000, accepts: ['agent-tunnels'] }, 20, 'goaway.sent'),
      module(
        'tunnel-tracker',
        { startAfter: ['redis-connection', 'agent-grpc-server'], advertises: ['agent-tunnels'] },
        1,
        'tunnels.withdrawn',
      ),
      module(
        'kube-proxy',
        { startAfter: ['agent-grpc-server', 'tunnel-tracker'], drainBudget: 100, uses: ['agent-tunnels'] },
        60_000,
      ),
    ],
    overrides: {
      'tunnel-tracker': { stop: { alongside: ['kube-proxy'] } },
      'agent-grpc-server': { stop: { after: ['kube-proxy', 'tunnel-tracker'] } },
    },
    traceFile,
    logger: pino({ level: 'silent' }),
  });
  await app.start();
  await app.stop('scale-down');
}

describe('kas-graph timeline, run as a process', () => {
  let directory: string;
  let trace: string;
  beforeAll(async () => {
    assertBuilt();
    directory = mkdtempSync(join(tmpdir(), 'kas-graph-timeline-'));
    trace = join(directory, 'legacy.jsonl');
    await recordLegacyShutdown(trace);
  });
  afterAll(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('draws a recorded shutdown as an SVG Gantt chart: a row per module, marks, the stop and the drain cut', async () => {
    const output = join(directory, 'legacy.svg');
    const run = await runKasGraph(['timeline', trace, '-o', output]);
    expect(run).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const svg = readFileSync(output, 'utf8');
    expect(svg).toMatch(/^<svg [^>]*class="marks"/);
    for (const text of ['redis-connection', 'agent-grpc-server', 'tunnel-tracker', 'kube-proxy']) {
      expect(svg).toContain(`>${text}</text>`);
    }
    for (const text of [
      'goaway.sent',
      'tunnels.withdrawn',
      'cut (budget)',
      'stop (scale-down)',
      'seconds since app.starting',
    ]) {
      expect(svg).toContain(text);
    }
  });

  it('writes a self-contained HTML page, and starts the axis at the stop with --stop-only', async () => {
    const output = join(directory, 'legacy.html');
    const run = await runKasGraph(['timeline', trace, '-o', output, '--stop-only']);
    expect(run.code).toBe(0);
    const html = readFileSync(output, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('seconds since the stop began');
    expect(html).toContain('&quot;type&quot;:&quot;module.drainCut&quot;');
    expect(html).not.toMatch(/<script/);
  });

  it('marks a module that ignores its cut (module.stopOverdue) on its row', async () => {
    const overdueTrace = join(directory, 'overdue.jsonl');
    const stubborn = defineModule({
      name: 'stubborn',
      drainBudget: 50,
      // ignores ctx.signal: returns only after the runner's 2 s grace past its cut
      create: () => ({ start: async () => {}, stop: () => wait(2_300) }),
    });
    const app = createApp({
      modules: [stubborn],
      traceFile: overdueTrace,
      logger: pino({ level: 'silent' }),
    });
    await app.start();
    await app.stop('test');
    const output = join(directory, 'overdue.svg');
    const run = await runKasGraph(['timeline', overdueTrace, '-o', output]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const svg = readFileSync(output, 'utf8');
    expect(svg).toContain('cut (budget)');
    expect(svg).toContain('stop overdue: ignores its cut (budget)');
  });

  it('refuses a trace line that is not an event, naming the line, and an output that is neither .svg nor .html', async () => {
    const broken = join(directory, 'broken.jsonl');
    writeFileSync(broken, `${readFileSync(trace, 'utf8').split('\n')[0]}\nnot json\n`);
    const run = await runKasGraph(['timeline', broken, '-o', join(directory, 'x.svg')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`KAS_GRAPH_TRACE_INVALID: ${broken}:2: not JSON`);
    const partial = join(directory, 'partial.jsonl');
    writeFileSync(
      partial,
      '{"type":"module.stopping","at":2,"module":"web"}\n{"type":"app.starting","at":1}\n',
    );
    const withoutModules = await runKasGraph(['timeline', partial, '-o', join(directory, 'x.svg')]);
    expect(withoutModules.code).toBe(2);
    expect(withoutModules.stderr).toContain(
      `KAS_GRAPH_TRACE_INVALID: ${partial}:2: event "app.starting" needs "modules" (a list of strings)\n`,
    ); // it was KAS_GRAPH_INTERNAL: a TypeError of the drawing
    const png = await runKasGraph(['timeline', trace, '-o', join(directory, 'x.png')]);
    expect(png.code).toBe(2);
    expect(png.stderr).toContain('the timeline is written as .svg or .html');
  });
});
