import type { App, LifecycleEvent, ModuleState, Token } from '@kas/core';
import { LifecycleFeed, type LifecycleFeedOptions } from '@kas/lifecycle-view';
import { KubeProxyMetricsToken } from '@kas/module-kube-proxy';
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { recordProxyDurations, registerModuleMetrics } from './registerModuleMetrics.js';

const MODULE_STATES: readonly ModuleState[] = [
  'idle',
  'starting',
  'running',
  'stopping',
  'stopped',
  'failed',
];

/**
 * The replica's Prometheus registry and readiness, fed by the app's lifecycle events and, at scrape
 * time, by the modules' own metrics hooks, and its lifecycle feed for live viewers. `connect(app)` wires
 * them; the observability module serves what this holds.
 */
export class KasTelemetry {
  readonly registry = new Registry();
  /** The snapshot and event streams of `/debug/lifecycle` (served only with `observability.debug`). */
  readonly lifecycle: LifecycleFeed;
  #isReady = false;
  #app: App | undefined;
  readonly #stageDuration = new Gauge({
    name: 'kas_lifecycle_stage_duration_seconds',
    help: 'How long each start and stop stage took, by phase and stage',
    labelNames: ['phase', 'stage'] as const,
    registers: [this.registry],
  });
  readonly #moduleState = new Gauge({
    name: 'kas_module_state',
    help: 'The state of each module: 1 for its current state, 0 for the others',
    labelNames: ['module', 'state'] as const,
    registers: [this.registry],
  });
  readonly #drainCuts = new Counter({
    name: 'kas_module_drain_cuts_total',
    help: 'Stops cut short, by module and reason (budget, signal, deadline)',
    labelNames: ['module', 'reason'] as const,
    registers: [this.registry],
  });
  readonly #stopsOverdue = new Counter({
    name: 'kas_module_stops_overdue_total',
    help: 'Stops still running some time after their cut (the module ignores its signal and holds the stages after it until the shutdown deadline), by module',
    labelNames: ['module'] as const,
    registers: [this.registry],
  });

  constructor(options: { readonly lifecycle?: LifecycleFeedOptions } = {}) {
    this.lifecycle = new LifecycleFeed(options.lifecycle);
    // The process's and Node's own: CPU, memory, heap spaces, event loop lag, GC durations by kind.
    collectDefaultMetrics({ register: this.registry });
  }

  /**
   * What `/readiness` says besides ready or not: configuration that lets the replica run but not do its
   * job (an agents file that lists no agent). Each is one line of the body.
   */
  readonly readinessWarnings: string[] = [];

  /** True from the end of a successful start until the first moment of stop. */
  get isReady(): boolean {
    return this.#isReady;
  }

  /** Subscribes to the app's lifecycle events and reads its modules' metrics hooks from now on. */
  connect(app: App): void {
    this.#app = app;
    this.lifecycle.connect(app);
    registerModuleMetrics(this.registry, this.lookup);
    app.subscribe(this.record);
  }

  /** What a module provides, once it exists. */
  private readonly lookup = <T>(token: Token<T>): T | undefined => {
    try {
      return this.#app?.get(token);
    } catch {
      return undefined; // not provided (yet, or not in this app): the metric stays empty
    }
  };

  private readonly record = (event: LifecycleEvent): void => {
    switch (event.type) {
      case 'app.started':
        this.#isReady = true;
        return;
      case 'app.stopping':
      case 'app.startFailed':
        this.#isReady = false;
        return;
      case 'stage.complete':
        this.#stageDuration.set({ phase: event.phase, stage: event.stage }, event.durationMs / 1000);
        return;
      case 'module.starting':
        this.setState(event.module, 'starting');
        return;
      case 'module.started': {
        const proxy = event.module === 'kube-proxy' ? this.lookup(KubeProxyMetricsToken) : undefined;
        if (proxy !== undefined) recordProxyDurations(this.registry, proxy);
        this.setState(event.module, 'running');
        return;
      }
      case 'module.stopping':
        this.setState(event.module, 'stopping');
        return;
      case 'module.stopped':
        this.setState(event.module, 'stopped');
        return;
      case 'module.failed':
        this.setState(event.module, 'failed');
        return;
      case 'module.drainCut':
        this.#drainCuts.inc({ module: event.module, reason: event.reason });
        return;
      case 'module.stopOverdue':
        this.#stopsOverdue.inc({ module: event.module });
        return;
      case 'app.starting':
      case 'app.stopped':
      case 'signal.received':
      case 'stage.begin':
      case 'module.mark':
      case 'module.progress': // not subscribed to: the modules' own metrics hooks carry their counts
      case 'shutdown.deadline':
        return;
      default: {
        const unhandled: never = event;
        throw new Error(`unhandled lifecycle event ${JSON.stringify(unhandled)}`);
      }
    }
  };

  private setState(module: string, state: ModuleState): void {
    for (const candidate of MODULE_STATES)
      this.#moduleState.set({ module, state: candidate }, candidate === state ? 1 : 0);
  }
}
