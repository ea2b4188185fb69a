/** Two clocks for log lines that other processes line up: this process's monotonic clock and the wall clock. */
export function timestamps(): { readonly monotonicMs: number; readonly wallMs: number } {
  const monotonicMs = performance.now();
  return { monotonicMs, wallMs: performance.timeOrigin + monotonicMs };
}
