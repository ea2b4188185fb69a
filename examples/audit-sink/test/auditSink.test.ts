import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineModule } from '@kas/core';
import { startTestApp } from '@kas/core/testing';
import { KasActivity, KasActivityToken } from '@kas/kas';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditSinkModule, configKey, configSchema } from '../src/index.js';

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'audit-sink-'));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

const records = async (file: string) =>
  (await readFile(file, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

// A module that drains until its signal fires, as the kube proxy's watches do: the sink waits for it.
const draining = defineModule({
  name: 'draining',
  create: () => ({
    async start() {},
    async stop(ctx) {
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
    },
  }),
});

describe('the audit sink', () => {
  it('writes every event it saw to its file when it stops, in order, and marks the flush', async () => {
    const file = join(directory, 'audit.jsonl');
    const activity = new KasActivity();
    const { trace, stop } = await startTestApp({
      modules: [auditSinkModule({ file, flushIntervalMs: 60_000 })], // no timed flush: only the stop writes
      provide: [{ token: KasActivityToken, useValue: activity }],
    });
    activity.publish({ type: 'agent.connected', agentId: 'agent-1' });
    activity.publish({
      type: 'request.finished',
      status: 200,
      durationSeconds: 0.01,
      route: 'local',
      outcome: 'completed',
    });
    activity.publish({ type: 'agent.disconnected', agentId: 'agent-1' });
    await stop();
    expect((await records(file)).map((record) => record.type)).toEqual([
      'agent.connected',
      'request.finished',
      'agent.disconnected',
    ]);
    expect(trace).toContainEqual(
      expect.objectContaining({ type: 'module.mark', module: 'audit-sink', name: 'audit.flushed' }),
    );
  });

  it('on a forced stop, writes what it holds without waiting for the sync, and is reported as cut', async () => {
    const file = join(directory, 'audit.jsonl');
    const activity = new KasActivity();
    const { app, trace, stop } = await startTestApp({
      modules: [auditSinkModule({ file, flushIntervalMs: 60_000 }), draining],
      provide: [{ token: KasActivityToken, useValue: activity }],
    });
    activity.publish({ type: 'agent.connected', agentId: 'agent-1' });
    const stopped = stop();
    app.cut(); // the second signal: the sink's stop begins with its signal already fired
    const outcome = await stopped;
    expect((await records(file)).map((record) => record.type)).toEqual(['agent.connected']);
    expect(trace).toContainEqual(
      expect.objectContaining({
        type: 'module.drainCut',
        module: 'audit-sink',
        reason: 'signal',
        preCut: true,
      }),
    );
    expect(trace).toContainEqual(
      expect.objectContaining({
        type: 'module.mark',
        name: 'audit.flushed',
        data: expect.objectContaining({ isSynced: false }),
      }),
    );
    expect(outcome).toMatchObject({ status: 'forced', forcedBy: 'signal' });
    expect(outcome.cut).toContain('audit-sink');
  });

  it('declares what kas.yaml needs: its key and a schema that fills in defaults and refuses unknown keys', () => {
    expect(configKey).toBe('auditSink');
    expect(configSchema.parse({ file: '/tmp/x' })).toEqual({ file: '/tmp/x', flushIntervalMs: 1000 });
    expect(configSchema.safeParse({ file: '/tmp/x', flush: 1 }).success).toBe(false);
  });

  it('stops after everything else, and records what it observes', () => {
    const module = auditSinkModule({ file: join(directory, 'x') });
    expect(module.stop).toEqual({ last: true });
    expect(module.observes).toEqual(['agent-tunnels']);
  });
});
