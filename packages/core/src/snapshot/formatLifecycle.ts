// How durations and progress records read to people, shared by every view of a snapshot: `kas-graph
// watch` in a terminal and the lifecycle page in a browser (which loads this folder as it is).

import type { ModuleSnapshot } from './LifecycleSnapshot.js';

/**
 * A duration as the lifecycle views write it: `340 ms`, `12.3 s`, `4 m 05 s`, `1 h 02 m 10 s` (seconds
 * are kept past an hour: a drain budget of an hour and ten seconds is not `1 h 00 m`). Negative values
 * read as 0.
 */
export function formatMs(ms: number): string {
  const value = Math.max(0, ms);
  if (value < 1_000) return `${Math.round(value)} ms`;
  if (value < 60_000) return `${(value / 1_000).toFixed(1)} s`;
  const seconds = Math.floor(value / 1_000);
  if (seconds < 3_600) return `${Math.floor(seconds / 60)} m ${String(seconds % 60).padStart(2, '0')} s`;
  const minutes = String(Math.floor(seconds / 60) % 60).padStart(2, '0');
  return `${Math.floor(seconds / 3_600)} h ${minutes} m ${String(seconds % 60).padStart(2, '0')} s`;
}

/**
 * A module's progress record on one line: its `state` first, then its counts, e.g.
 * `draining · inFlight 1 · watches 1`. A key ending in `Ms` is a duration (`formatMs`); other numbers are
 * written whole, or with one decimal when they have a fraction.
 */
export function formatProgress(progress: Readonly<Record<string, string | number | boolean>>): string {
  const { state, ...counts } = progress;
  return [
    ...(state === undefined ? [] : [String(state)]),
    ...Object.entries(counts).map(([key, value]) => `${key} ${formatValue(key, value)}`),
  ].join(' · ');
}

function formatValue(key: string, value: string | number | boolean): string {
  if (typeof value !== 'number') return String(value);
  if (key.endsWith('Ms')) return formatMs(value);
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/**
 * Why a module's stop signal fired and, once the runner reported it still stopping 2 s later
 * (`module.stopOverdue`), that it ignores it: `cut (budget)`, `cut (signal), ignores it`; `''` when its
 * signal has not fired.
 */
export function formatCut(module: Pick<ModuleSnapshot, 'cut' | 'overdueAt'>): string {
  if (module.cut === undefined) return '';
  return `cut (${module.cut})${module.overdueAt === undefined ? '' : ', ignores it'}`;
}
