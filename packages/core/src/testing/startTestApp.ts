import { pino } from 'pino';
import type { LifecycleEvent } from '../events/LifecycleEvent.js';
import { type App, type AppOptions, createApp } from '../runner/createApp.js';
import type { StopOutcome } from '../runner/StopRun.js';

/** An app started for a test, with every lifecycle event it emitted (`module.progress` included). */
export interface TestApp {
  readonly app: App;
  /** Every event so far, in order; grows while the app runs. */
  readonly trace: readonly LifecycleEvent[];
  /** Stops the app (if it is not stopped yet) and returns the outcome. */
  stop(): Promise<StopOutcome>;
}

/**
 * Creates and starts an app with a silent logger (unless one is given) and records its events. If the
 * start fails the promise rejects, after the rollback; the events are on the error as `trace`.
 */
export async function startTestApp(options: AppOptions): Promise<TestApp> {
  const app = createApp({ logger: pino({ level: 'silent' }), ...options });
  const trace: LifecycleEvent[] = [];
  app.subscribe((event) => trace.push(event), { withProgress: true });
  try {
    await app.start();
  } catch (error) {
    Object.assign(error as object, { trace });
    throw error;
  }
  return { app, trace, stop: () => app.stop('test stop') };
}
