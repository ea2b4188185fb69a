// Durations and progress records as the page writes them.

/** `340 ms`, `12.3 s`, `4 m 05 s`, `1 h 02 m 10 s`. */
export function formatMs(ms) {
  const value = Math.max(0, ms);
  if (value < 1_000) return `${Math.round(value)} ms`;
  if (value < 60_000) return `${(value / 1_000).toFixed(1)} s`;
  const seconds = Math.floor(value / 1_000);
  if (seconds < 3_600) return `${Math.floor(seconds / 60)} m ${String(seconds % 60).padStart(2, '0')} s`;
  const minutes = String(Math.floor(seconds / 60) % 60).padStart(2, '0');
  return `${Math.floor(seconds / 3_600)} h ${minutes} m ${String(seconds % 60).padStart(2, '0')} s`;
}

/** `draining · inFlight 1 · watches 1`: the `state` first, then the counts. */
export function formatProgress(progress) {
  const { state, ...counts } = progress;
  return [
    ...(state === undefined ? [] : [String(state)]),
    ...Object.entries(counts).map(([key, value]) => `${key} ${formatValue(key, value)}`),
  ].join(' · ');
}

/** Escapes text for HTML and SVG markup. */
export function escapeText(text) {
  return String(text).replace(/[&<>"]/g, (char) => `&#${char.charCodeAt(0)};`);
}

function formatValue(key, value) {
  if (typeof value !== 'number') return String(value);
  if (key.endsWith('Ms')) return formatMs(value);
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}
