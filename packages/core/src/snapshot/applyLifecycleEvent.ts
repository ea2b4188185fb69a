import type { LifecycleEvent } from '../events/LifecycleEvent.js';
import type { LifecycleSnapshot } from './LifecycleSnapshot.js';
import { LiveSnapshot } from './LiveSnapshot.js';

/**
 * The snapshot after `event`: how a viewer keeps one current from a stream of events. Pure (the
 * snapshot passed in is not changed), and free of runtime imports, so a browser can load it too.
 * `app.starting` starts over from the plan it carries. Each call copies the snapshot's lists once; a
 * viewer that gets many events between two frames folds them with `applyLifecycleEvents`.
 */
export function applyLifecycleEvent(snapshot: LifecycleSnapshot, event: LifecycleEvent): LifecycleSnapshot {
  return applyLifecycleEvents(snapshot, [event]);
}

/**
 * The snapshot after `events`, in order: what `applyLifecycleEvent` gives event by event, with one copy
 * of the snapshot's lists for all of them (a plan of 2,000 modules was copied, and its look-ups rebuilt,
 * for every one of a stop's thousands of events). Pure; `snapshot` itself when `events` is empty.
 */
export function applyLifecycleEvents(
  snapshot: LifecycleSnapshot,
  events: readonly LifecycleEvent[],
): LifecycleSnapshot {
  if (events.length === 0) return snapshot;
  const live = new LiveSnapshot(snapshot);
  for (const event of events) live.apply(event);
  return live.snapshot();
}
