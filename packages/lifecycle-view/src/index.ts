// `@kas/lifecycle-view`: the live lifecycle page (plain ES modules and CSS under `web/`, no build step) and
// the function a listener serves it with.
export { type LifecycleViewAsset, readLifecycleViewAsset } from './readLifecycleViewAsset.js';
