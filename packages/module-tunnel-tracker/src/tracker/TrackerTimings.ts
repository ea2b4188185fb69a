import type { Milliseconds } from '@kas/config';

/** The tracker's timings in milliseconds (what `tunnelTrackerConfigSchema` gives). */
export interface TrackerTimings {
  readonly entryTtlMs: Milliseconds;
  readonly refreshPeriodMs: Milliseconds;
  readonly cleanUpPeriodMs: Milliseconds;
  readonly unregisterDelayMs: Milliseconds;
  readonly entryCheckPeriodMs: Milliseconds;
}

/** The timings of a parsed tracker configuration. */
export function toTrackerTimings(config: {
  readonly entryTtl: Milliseconds;
  readonly refreshPeriod: Milliseconds;
  readonly cleanUpPeriod: Milliseconds;
  readonly unregisterDelay: Milliseconds;
  readonly entryCheckPeriod: Milliseconds;
}): TrackerTimings {
  return {
    entryTtlMs: config.entryTtl,
    refreshPeriodMs: config.refreshPeriod,
    cleanUpPeriodMs: config.cleanUpPeriod,
    unregisterDelayMs: config.unregisterDelay,
    entryCheckPeriodMs: config.entryCheckPeriod,
  };
}
