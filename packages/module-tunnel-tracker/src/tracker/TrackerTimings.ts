import { type Duration, toMilliseconds } from '@kas/core';
import { TunnelTrackerError } from '../errors/TunnelTrackerError.js';

/** The tracker's timings, as configured (durations: milliseconds or strings such as `'20s'`). */
export interface TrackerTimingsConfig {
  /** How long an entry lives unless its replica refreshes it. Default `60s`. */
  readonly entryTtl?: Duration;
  /** How often a replica rewrites all its entries with a fresh expiry. Default `20s`; below `entryTtl`. */
  readonly refreshPeriod?: Duration;
  /** How often a replica removes expired entries from the records of the agents it holds. Default `60s`. */
  readonly cleanUpPeriod?: Duration;
  /** How long after an agent's last tunnel went its entry is removed, unless a tunnel comes back. Default `5s`. */
  readonly unregisterDelay?: Duration;
}

/** The tracker's timings in milliseconds. */
export interface TrackerTimings {
  readonly entryTtlMs: number;
  readonly refreshPeriodMs: number;
  readonly cleanUpPeriodMs: number;
  readonly unregisterDelayMs: number;
}

/** The defaults, in the units the README documents. */
export const DEFAULT_TRACKER_TIMINGS: TrackerTimings = {
  entryTtlMs: 60_000,
  refreshPeriodMs: 20_000,
  cleanUpPeriodMs: 60_000,
  unregisterDelayMs: 5_000,
};

/** Parses and checks the timings; throws `KAS_TUNNEL_TRACKER_CONFIG_INVALID` naming the option. */
export function resolveTrackerTimings(config: TrackerTimingsConfig): TrackerTimings {
  const parse = (option: keyof TrackerTimingsConfig, fallbackMs: number): number => {
    const value = config[option];
    if (value === undefined) return fallbackMs;
    let ms: number;
    try {
      ms = toMilliseconds(value, `tunnel-tracker: ${option}`);
    } catch (error) {
      throw invalid(`${option} ${JSON.stringify(value)} is not a duration`, error);
    }
    if (ms <= 0) throw invalid(`${option} must be longer than 0, not ${JSON.stringify(value)}`);
    return ms;
  };
  const timings: TrackerTimings = {
    entryTtlMs: parse('entryTtl', DEFAULT_TRACKER_TIMINGS.entryTtlMs),
    refreshPeriodMs: parse('refreshPeriod', DEFAULT_TRACKER_TIMINGS.refreshPeriodMs),
    cleanUpPeriodMs: parse('cleanUpPeriod', DEFAULT_TRACKER_TIMINGS.cleanUpPeriodMs),
    unregisterDelayMs: parse('unregisterDelay', DEFAULT_TRACKER_TIMINGS.unregisterDelayMs),
  };
  if (timings.refreshPeriodMs >= timings.entryTtlMs) {
    throw invalid(
      `refreshPeriod (${timings.refreshPeriodMs}ms) must be shorter than entryTtl (${timings.entryTtlMs}ms), or entries expire between refreshes`,
    );
  }
  return timings;
}

function invalid(problem: string, cause?: unknown): TunnelTrackerError {
  return new TunnelTrackerError(
    'KAS_TUNNEL_TRACKER_CONFIG_INVALID',
    `tunnel-tracker: ${problem}`,
    "give durations as milliseconds or strings such as '20s', and a refreshPeriod shorter than entryTtl (a third of it lets two refreshes fail before entries expire)",
    cause === undefined ? undefined : { cause },
  );
}
