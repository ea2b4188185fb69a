import type { LifecycleEvent } from '../events/LifecycleEvent.js';
import type { LifecycleSnapshot } from './LifecycleSnapshot.js';
import { LiveSnapshot } from './LiveSnapshot.js';

/**
 * The snapshot after `event`: how a viewer keeps one current from a stream of events. Pure (the
 * snapshot passed in is not changed), and free of runtime imports, so a browser can load it too.
 * `app.starting` starts over from the plan it carries. Each call copies the snapshot's lists once; to
 * replay many events, `foldLifecycleEvents` applies them without a copy per event.
 */
export function applyLifecycleEvent(snapshot: LifecycleSnapshot, event: LifecycleEvent): LifecycleSnapshot {
  const live = new LiveSnapshot(snapshot);
  live.apply(event);
  return live.snapshot();
}
