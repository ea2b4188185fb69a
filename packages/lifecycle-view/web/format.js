// Durations and progress records as the page writes them: `@kas/core/snapshot`'s, as `kas-graph watch`
// writes them too, and the page's own words for a stop's outcome, a wall-clock time and HTML escaping.
export { formatCut, formatMs, formatProgress } from './snapshot/index.js';

/** What forced a stop (`app.stopped`'s `forcedBy`), in the words of kas's own log line. */
const FORCED_BY = {
  signal: 'by a second stop signal',
  deadline: 'by the shutdown deadline',
  budget: 'by a drain budget',
};

/**
 * How a stop ended: `clean`, `failed (a, b)`, `forced by a second stop signal`, `forced by the shutdown
 * deadline`; `forced` alone from a replica older than `forcedBy`.
 */
export function formatStopOutcome(stop) {
  if (stop.status === 'forced')
    return stop.forcedBy in FORCED_BY ? `forced ${FORCED_BY[stop.forcedBy]}` : 'forced';
  if (stop.status === 'failed' && stop.failed?.length) return `failed (${stop.failed.join(', ')})`;
  return String(stop.status);
}

/** A wall-clock time (`Date.now()` milliseconds) as the page's reader's local `hh:mm:ss`. */
export function formatClock(wallClockMs) {
  return new Date(wallClockMs).toLocaleTimeString('en-GB', { hour12: false });
}

/** Escapes text for HTML and SVG markup. */
export function escapeText(text) {
  return String(text).replace(/[&<>"]/g, (char) => `&#${char.charCodeAt(0)};`);
}
