import type { Logger } from 'pino';
import type { LifecycleEvent, LifecycleListener, SubscribeOptions } from '../events/LifecycleEvent.js';
import type { ProgressRecord } from '../module/ModuleDefinition.js';
import type { Unstamped } from './ModuleRuntime.js';

/**
 * An app's subscribers. Lifecycle events go to all of them, stamped with `performance.now()`;
 * `module.progress` only to those that asked for progress, and when none did, a progress record is not
 * even turned into an event. A module's records of one event-loop turn become one event (its latest), so
 * a burst (ten thousand watches cut at once) is one event, not ten thousand; records waiting for their
 * turn go out before the next lifecycle event, so a module's last count precedes its `module.stopped`.
 */
export class LifecycleListeners {
  /** Each listener, and whether it wants progress events. */
  readonly #listeners = new Map<LifecycleListener, boolean>();
  #progressListenerCount = 0;
  readonly #pendingProgress = new Map<string, ProgressRecord>();
  #progressFlush: NodeJS.Immediate | undefined;

  constructor(private readonly log: Logger) {}

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: LifecycleListener, options: SubscribeOptions = {}): () => void {
    this.unsubscribe(listener);
    const withProgress = options.withProgress === true;
    this.#listeners.set(listener, withProgress);
    if (withProgress) this.#progressListenerCount += 1;
    return () => this.unsubscribe(listener);
  }

  /** Stamps the event and delivers it to every listener. */
  readonly emit = (event: Unstamped): void => {
    this.#flushProgress();
    this.#deliver({ ...event, at: performance.now() } as LifecycleEvent, false);
  };

  /** Delivers a module's progress record to the listeners that want progress, if there are any. */
  readonly publishProgress = (module: string, progress: ProgressRecord): void => {
    if (this.#progressListenerCount === 0) return;
    this.#pendingProgress.set(module, progress);
    this.#progressFlush ??= setImmediate(this.#flushProgress);
  };

  readonly #flushProgress = (): void => {
    if (this.#progressFlush === undefined) return;
    clearImmediate(this.#progressFlush);
    this.#progressFlush = undefined;
    const pending = [...this.#pendingProgress];
    this.#pendingProgress.clear();
    for (const [module, progress] of pending)
      this.#deliver({ type: 'module.progress', module, progress, at: performance.now() }, true);
  };

  #deliver(event: LifecycleEvent, isProgress: boolean): void {
    for (const [listener, withProgress] of this.#listeners) {
      if (isProgress && !withProgress) continue;
      try {
        listener(event);
      } catch (error) {
        this.log.error(
          { err: error, event: event.type },
          'a lifecycle listener threw; it was skipped for this event',
        );
      }
    }
  }

  private unsubscribe(listener: LifecycleListener): void {
    const withProgress = this.#listeners.get(listener);
    if (withProgress === undefined) return;
    this.#listeners.delete(listener);
    if (withProgress) this.#progressListenerCount -= 1;
  }
}
