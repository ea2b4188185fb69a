const UNITS = [
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
] as const;

/** Formats milliseconds exactly, largest units first: `1h`, `1h 30s`, `10s`, `1s 500ms`, `0s`. */
export function formatDuration(durationMs: number): string {
  let rest = Math.round(durationMs);
  if (rest === 0) return '0s';
  const parts: string[] = [];
  for (const [unit, size] of UNITS) {
    const count = Math.floor(rest / size);
    if (count > 0) parts.push(`${count}${unit}`);
    rest -= count * size;
  }
  return parts.join(' ');
}
