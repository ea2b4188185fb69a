/** Wall-clock milliseconds with sub-millisecond precision, comparable with agentk's `wallMs` and pino's `time`. */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}
