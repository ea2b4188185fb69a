// `@kas/core/snapshot`: an app's live state as data, and the fold that keeps it current from lifecycle
// events. Free of runtime imports (only types), so a browser page can load these files as they are.
export { applyLifecycleEvent, applyLifecycleEvents } from './applyLifecycleEvent.js';
export { createSnapshot } from './createSnapshot.js';
export { foldLifecycleEvents } from './foldLifecycleEvents.js';
export { formatCut, formatMs, formatProgress } from './formatLifecycle.js';
export type {
  LifecycleSnapshot,
  ModuleSnapshot,
  StageSnapshot,
  StageState,
  StopSnapshot,
} from './LifecycleSnapshot.js';
