import { defineModule, type LifecycleContext, type ModuleDefinition } from '../../src/index.js';

/** What a probe module does when started and stopped. */
export interface ProbeBehaviour {
  /** Milliseconds its start takes (fake timers advance them). Default 0. */
  readonly startMs?: number;
  /** Milliseconds its stop takes; `'untilCut'` waits until its signal fires. Default 0. */
  readonly stopMs?: number | 'untilCut';
  readonly failStart?: boolean;
  readonly failStop?: boolean;
  /** A start that never resolves and ignores its signal. */
  readonly hangStart?: boolean;
}

/** One line of what probes saw, in order. `tick` is equal for hooks called in one synchronous run. */
export interface ProbeRecord {
  readonly what: 'start' | 'stop' | 'stopped' | 'cut';
  readonly module: string;
  readonly tick: number;
}

/** A shared recorder for the probes of one test. */
export class ProbeLog {
  readonly records: ProbeRecord[] = [];
  #tick = 0;
  #isTickOpen = false;

  record(what: ProbeRecord['what'], module: string): void {
    if (!this.#isTickOpen) {
      this.#tick += 1;
      this.#isTickOpen = true;
      queueMicrotask(() => {
        this.#isTickOpen = false;
      });
    }
    this.records.push({ what, module, tick: this.#tick });
  }

  /** Names of modules in the order they saw `what`. */
  order(what: ProbeRecord['what']): string[] {
    return this.records.filter((record) => record.what === what).map((record) => record.module);
  }

  find(what: ProbeRecord['what'], module: string): ProbeRecord | undefined {
    return this.records.find((record) => record.what === what && record.module === module);
  }

  indexOf(what: ProbeRecord['what'], module: string): number {
    return this.records.findIndex((record) => record.what === what && record.module === module);
  }
}

function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** A module that records its lifecycle into `log` and behaves as told. */
export function probeModule(
  log: ProbeLog,
  declaration: Omit<ModuleDefinition, 'create'>,
  behaviour: ProbeBehaviour = {},
): ModuleDefinition {
  const name = declaration.name;
  return defineModule<Record<never, never>, Record<never, never>>({
    ...declaration,
    create: () => ({
      async start(ctx: LifecycleContext) {
        log.record('start', name);
        if (behaviour.hangStart) return new Promise<void>(() => {});
        await wait(behaviour.startMs ?? 0, ctx.signal);
        if (behaviour.failStart) throw new Error(`${name} could not start`);
      },
      async stop(ctx: LifecycleContext) {
        log.record('stop', name);
        ctx.signal.addEventListener('abort', () => log.record('cut', name));
        const stopMs = behaviour.stopMs ?? 0;
        await wait(stopMs === 'untilCut' ? 2 ** 31 - 1 : stopMs, ctx.signal);
        log.record('stopped', name);
        if (behaviour.failStop) throw new Error(`${name} could not stop`);
      },
    }),
  });
}
