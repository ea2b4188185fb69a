import type { LifecycleEvent } from '../events/LifecycleEvent.js';
import { applyLifecycleEvent } from './applyLifecycleEvent.js';
import type { LifecycleSnapshot } from './LifecycleSnapshot.js';

/**
 * The snapshot a recorded run ends in (or is in after its first events, for a replay): the events from
 * its first `app.starting`, which carries the plan, on. Undefined when there is none.
 */
export function foldLifecycleEvents(events: readonly LifecycleEvent[]): LifecycleSnapshot | undefined {
  let snapshot: LifecycleSnapshot | undefined;
  for (const event of events) {
    if (snapshot === undefined && event.type !== 'app.starting') continue;
    snapshot = applyLifecycleEvent(snapshot as LifecycleSnapshot, event);
  }
  return snapshot;
}
