import type { ResourceName } from '../resources/ResourceDefinition.js';
import type { KubeObject } from './KubeObject.js';
import type { ObjectPredicate } from './parseSelector.js';
import { badRequest, gone } from './storeErrors.js';

/** A change in the store: the object after it (for `DELETED`, its last state) and, if any, before it. */
export interface StoreEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly resource: ResourceName;
  readonly object: KubeObject;
  readonly previous?: KubeObject;
}

/** What one watch asks for. */
export interface WatchSubscription {
  readonly resource: ResourceName;
  /** Only objects of this namespace; all namespaces when undefined. */
  readonly namespace?: string;
  /** Replay changes after this version; unset or `0`: synthetic `ADDED` events for what exists now. */
  readonly resourceVersion?: string;
  /** Label and field selectors. */
  readonly matches: ObjectPredicate;
}

const HISTORY_LIMIT = 5_000;

/**
 * Fans store changes out to watches. Keeps the last changes so that a watch can start from an earlier
 * resourceVersion, as the real server's watch cache does; older ones answer `Gone`.
 */
export class WatchHub {
  readonly #history: StoreEvent[] = [];
  readonly #listeners = new Set<(event: StoreEvent) => void>();
  /** Every change after this version is in the history. */
  #historyStart = 0;

  /** Records a change and hands it to every watch at once. */
  publish(event: StoreEvent): void {
    this.#history.push(event);
    if (this.#history.length > HISTORY_LIMIT) {
      const dropped = this.#history.shift();
      if (dropped !== undefined) this.#historyStart = Number(dropped.object.metadata.resourceVersion);
    }
    for (const listener of this.#listeners) listener(event);
  }

  /**
   * Starts a watch: delivers the replayed (or initial) events at once, then each change; returns the
   * call that ends it. Throws `KAS_FAKE_KUBE_GONE` for a version older than the history.
   */
  subscribe(
    subscription: WatchSubscription,
    initialEvents: () => readonly StoreEvent[],
    onEvent: (event: StoreEvent) => void,
  ): () => void {
    const deliver = (event: StoreEvent) => {
      const seen = project(event, subscription);
      if (seen !== undefined) onEvent(seen);
    };
    const from = subscription.resourceVersion;
    if (from === undefined || from === '' || from === '0') {
      for (const event of initialEvents()) deliver(event);
    } else {
      const version = Number(from);
      if (!Number.isSafeInteger(version) || version < 0) {
        throw badRequest(
          `invalid resourceVersion "${from}"`,
          'pass the resourceVersion of a list or of an object',
        );
      }
      if (version < this.#historyStart) throw gone(version, this.#historyStart + 1);
      for (const event of this.#history) {
        if (Number(event.object.metadata.resourceVersion) > version) deliver(event);
      }
    }
    this.#listeners.add(deliver);
    return () => {
      this.#listeners.delete(deliver);
    };
  }
}

/**
 * The event a watch sees: only its resource and namespace, and with selectors, an object that starts
 * matching is `ADDED` and one that stops matching is `DELETED` (as the real server does).
 */
function project(event: StoreEvent, subscription: WatchSubscription): StoreEvent | undefined {
  if (event.resource !== subscription.resource) return undefined;
  const { namespace } = subscription;
  if (namespace !== undefined && event.object.metadata.namespace !== namespace) return undefined;
  const matchesNow = subscription.matches(event.object);
  if (event.type !== 'MODIFIED') return matchesNow ? event : undefined;
  const matchedBefore = event.previous !== undefined && subscription.matches(event.previous);
  if (matchesNow && matchedBefore) return event;
  if (matchesNow) return { ...event, type: 'ADDED' };
  return matchedBefore ? { ...event, type: 'DELETED' } : undefined;
}
