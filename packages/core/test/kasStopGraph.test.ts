import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resolvePlan } from '../src/index.js';
import { startTestApp } from '../src/testing/index.js';
import { kasShapedModules, legacyOverrides } from './support/kasShapedGraph.js';
import { ProbeLog, probeModule } from './support/probeModule.js';

const stageOf = (plan: ReturnType<typeof resolvePlan>, module: string) =>
  plan.stop.stages.find((stage) => stage.members.includes(module));

describe('the kas stop graph', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('puts the agent edge in one stage and the proxy in another, both first (the edge listed, and begun, first), Redis after both', () => {
    const plan = resolvePlan({ modules: kasShapedModules(new ProbeLog()) });
    expect(plan.stop.stages.map((stage) => ({ id: stage.id, follows: [...stage.follows].sort() }))).toEqual([
      { id: 'agent-grpc-server+tunnel-tracker', follows: [] },
      { id: 'kube-proxy', follows: [] },
      { id: 'redis-connection', follows: ['agent-grpc-server+tunnel-tracker', 'kube-proxy'] },
    ]);
    expect(plan.stop.criticalPath).toEqual({
      stages: ['kube-proxy', 'redis-connection'],
      worstCaseMs: 3_600_000 + 30_000,
    });
  });

  it('stops the agent edge in one tick while kube-proxy drains, and Redis only after the drain', async () => {
    const log = new ProbeLog();
    const { app, trace, stop } = await startTestApp({ modules: kasShapedModules(log) });
    const stopped = stop();
    await vi.advanceTimersByTimeAsync(0);
    const tracker = log.find('stop', 'tunnel-tracker');
    const server = log.find('stop', 'agent-grpc-server');
    expect(tracker?.tick).toBeDefined();
    expect(tracker?.tick).toBe(server?.tick);
    // reverse start order within the stage: the directory withdraw goes out before GOAWAY to every agent
    expect(log.indexOf('stop', 'tunnel-tracker')).toBeLessThan(log.indexOf('stop', 'agent-grpc-server'));
    expect(log.find('stop', 'kube-proxy')?.tick).toBe(tracker?.tick);
    expect(log.find('stopped', 'tunnel-tracker')).toBeDefined();
    expect(log.find('stopped', 'agent-grpc-server')).toBeDefined();
    expect(app.moduleStates().get('kube-proxy')).toBe('stopping');
    expect(log.find('stop', 'redis-connection')).toBeUndefined();

    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(await stopped).toMatchObject({ status: 'clean', cut: [] });
    expect(log.indexOf('stop', 'redis-connection')).toBeGreaterThan(log.indexOf('stopped', 'kube-proxy'));
    const types = trace
      .filter((event) => event.type === 'module.stopping')
      .map((event) => event.type === 'module.stopping' && event.module);
    expect(types.slice(-1)).toEqual(['redis-connection']);
  });

  it('expresses the pre-fix ordering by overrides: proxy and tracker first, the gRPC server after the drain', async () => {
    const log = new ProbeLog();
    const modules = kasShapedModules(log);
    const plan = resolvePlan({ modules, overrides: legacyOverrides });
    expect(stageOf(plan, 'agent-grpc-server')?.follows).toEqual(
      expect.arrayContaining(['kube-proxy', 'tunnel-tracker']),
    );
    expect(stageOf(plan, 'tunnel-tracker')?.follows).toEqual([]);
    expect(stageOf(plan, 'kube-proxy')?.follows).toEqual([]);

    const { stop } = await startTestApp({ modules, overrides: legacyOverrides });
    const stopped = stop();
    await vi.advanceTimersByTimeAsync(0);
    expect(log.order('stop')).toEqual(['tunnel-tracker', 'kube-proxy']);
    await vi.advanceTimersByTimeAsync(10 * 60_000 - 1);
    expect(log.find('stop', 'agent-grpc-server')).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    await stopped;
    expect(log.indexOf('stop', 'agent-grpc-server')).toBeGreaterThan(log.indexOf('stopped', 'kube-proxy'));
  });

  it('keeps the per-pair default: a module declared "with" another still stops before what it started after', () => {
    const plan = resolvePlan({ modules: kasShapedModules(new ProbeLog()) });
    expect(stageOf(plan, 'redis-connection')?.follows).toContain('agent-grpc-server+tunnel-tracker');
    expect(plan.stop.edges).toContainEqual({
      from: 'tunnel-tracker',
      to: 'redis-connection',
      reason: 'default',
    });
  });

  it('keeps the default down the chain when a pair is named: no gap opens past the named module', () => {
    const log = new ProbeLog();
    const plan = resolvePlan({
      modules: [
        probeModule(log, { name: 'store' }),
        probeModule(log, { name: 'middle', startAfter: ['store'] }),
        probeModule(log, { name: 'top', startAfter: ['middle'], stop: { alongside: ['middle'] } }),
      ],
    });
    expect([...(stageOf(plan, 'store')?.follows ?? [])].sort()).toEqual(['middle', 'top']);
    expect(stageOf(plan, 'top')?.follows).toEqual([]);
    expect(stageOf(plan, 'middle')?.follows).toEqual([]);
  });
});
