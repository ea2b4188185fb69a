// Durations and progress records as the page writes them: `@kas/core/snapshot`'s, as `kas-graph watch`
// writes them too, and the page's HTML escaping.
export { formatCut, formatMs, formatProgress } from './snapshot/index.js';

/** Escapes text for HTML and SVG markup. */
export function escapeText(text) {
  return String(text).replace(/[&<>"]/g, (char) => `&#${char.charCodeAt(0)};`);
}
