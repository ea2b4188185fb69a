import { availableParallelism, loadavg } from 'node:os';

/** The largest scale the load alone gives: beyond it a wait that long means something is broken. */
const MAX_LOAD_SCALE = 10;

/**
 * Reads the time-out scale: `value` (`KAS_TEST_TIMEOUT_SCALE`) when set, a number of 1 or more; else the
 * load per core (`load` over `cores`), at least 1 and at most 10.
 */
export function readTimeoutScale(
  value: string | undefined,
  load: number = loadavg()[0] ?? 0,
  cores: number = availableParallelism(),
): number {
  if (value === undefined || value.trim() === '') return Math.min(MAX_LOAD_SCALE, Math.max(1, load / cores));
  const scale = Number(value);
  if (!Number.isFinite(scale) || scale < 1) {
    throw new Error(
      `KAS_TEST_TIMEOUT_SCALE=${value} is not a number of 1 or more: set how many times longer than on an idle machine the tests may wait (e.g. 3), or unset it to derive it from the load`,
    );
  }
  return scale;
}

/**
 * How many times longer than on an idle machine the tests' waits may take: the one setting for a busy
 * machine. `KAS_TEST_TIMEOUT_SCALE` when set; else derived when the test process starts from the load per
 * core (1-minute load average over the cores: 1 on an idle machine, 5 at a load of 10 on 2 cores), at
 * most 10. Every time-out of the test kit's helpers is multiplied by it, and the shared vitest config's
 * test and hook time-outs too. It never shortens a wait, and no helper waits longer than its condition
 * takes.
 */
export const TIMEOUT_SCALE: number = readTimeoutScale(process.env.KAS_TEST_TIMEOUT_SCALE);

/**
 * `ms` times `TIMEOUT_SCALE`, rounded up: for a time-out a test sets itself (`it(..., scaledMs(60_000))`,
 * its own `setTimeout` guards). The test kit's helpers scale the time-outs they are given already.
 */
export function scaledMs(ms: number): number {
  return Math.ceil(ms * TIMEOUT_SCALE);
}
