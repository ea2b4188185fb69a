/** Timings of repeated runs of one piece of work, in milliseconds. */
export interface Measurement {
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly runs: number;
}

/** Runs `work` `warmups` times unmeasured, then `runs` times measured; returns the median, min and max. */
export function measure(work: () => unknown, runs: number, warmups = 1): Measurement {
  for (let index = 0; index < warmups; index++) work();
  const times: number[] = [];
  for (let index = 0; index < runs; index++) {
    const started = performance.now();
    work();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const middle = Math.floor(times.length / 2);
  const medianMs =
    times.length % 2 === 1
      ? (times[middle] as number)
      : ((times[middle - 1] as number) + (times[middle] as number)) / 2;
  return { medianMs, minMs: times[0] as number, maxMs: times.at(-1) as number, runs };
}
