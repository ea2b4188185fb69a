import type { LifecycleEvent } from '../events/LifecycleEvent.js';
import { createSnapshot } from './createSnapshot.js';
import type { LifecycleSnapshot } from './LifecycleSnapshot.js';
import { LiveSnapshot } from './LiveSnapshot.js';

/**
 * The snapshot a recorded run ends in (or is in after its first events, for a replay): the events from
 * its first `app.starting`, which carries the plan, on. Undefined when there is none. Linear in the
 * number of events and modules: one event changes one entry.
 */
export function foldLifecycleEvents(events: readonly LifecycleEvent[]): LifecycleSnapshot | undefined {
  const first = events.findIndex((event) => event.type === 'app.starting');
  const starting = events[first];
  if (starting?.type !== 'app.starting') return undefined;
  const live = new LiveSnapshot(createSnapshot(starting.plan, starting.at, starting.wallClock));
  for (let index = first; index < events.length; index++) live.apply(events[index] as LifecycleEvent);
  return live.snapshot();
}
