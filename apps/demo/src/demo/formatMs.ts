/** `850 ms`, `12.3 s`; `–` for a value not measured. */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined) return '–';
  return ms < 1_000 ? `${Math.round(ms)} ms` : `${(ms / 1_000).toFixed(1)} s`;
}
