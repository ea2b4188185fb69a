// `@kas/lifecycle-view`: the live lifecycle page (plain ES modules and CSS under `web/`, no build step),
// the function a listener serves its files with, and the lifecycle debug endpoints (the snapshot, its
// event stream and the page) any `@kas/core` app mounts on a listener of its own.
export {
  createLifecycleDebug,
  type LifecycleDebug,
  type LifecycleDebugOptions,
} from './createLifecycleDebug.js';
export { LifecycleFeed, type LifecycleFeedOptions } from './LifecycleFeed.js';
export { type LifecycleViewAsset, readLifecycleViewAsset } from './readLifecycleViewAsset.js';
export { LIFECYCLE_DEBUG_PATHS, LIFECYCLE_PAGE, serveLifecycleDebug } from './serveLifecycleDebug.js';
