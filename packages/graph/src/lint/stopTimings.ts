import type { StopPlan } from '@kas/core';
import type { StopTiming } from './LintGraph.js';

/** Worst-case begin and completion of every stop stage: each stage it waits for takes its whole budget. */
export function stopTimings(stop: StopPlan): ReadonlyMap<string, StopTiming> {
  const timings = new Map<string, StopTiming>();
  for (const stage of stop.stages) {
    let latestBeginMs = 0;
    let waitsLongestFor: string | undefined;
    for (const previous of stage.follows) {
      const completes = timings.get(previous)?.latestCompleteMs ?? 0;
      if (waitsLongestFor === undefined || completes > latestBeginMs) {
        latestBeginMs = completes;
        waitsLongestFor = previous;
      }
    }
    timings.set(stage.id, {
      latestBeginMs,
      latestCompleteMs: latestBeginMs + stage.drainBudgetMs,
      ...(waitsLongestFor === undefined ? {} : { waitsLongestFor }),
    });
  }
  return timings;
}
