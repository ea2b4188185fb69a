import { readFileSync } from 'node:fs';
import type { LifecycleEvent } from '@kas/core';
import { foldLifecycleEvents, type LifecycleSnapshot } from '@kas/core/snapshot';

/**
 * A stop recorded by `kas --dev --trace-file`: SIGTERM while an agent held busy tunnels and a watch ran
 * through the kube proxy, then a second SIGTERM 14 s later, which forced the stop and cut five modules
 * (the kube proxy's last record still counts a request in flight). Dev mode's plan: the agent edge and
 * the kube proxy with the private API first, then the dev agent, the dev kube API, and observability last.
 */
export const forcedStop: readonly LifecycleEvent[] = readFileSync(
  new URL('../fixtures/forced-stop.trace.jsonl', import.meta.url),
  'utf8',
)
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as LifecycleEvent);

/** When `forcedStop`'s second SIGTERM came (the one that forced the stop). */
export const SECOND_SIGNAL_AT = (
  forcedStop.find((event) => event.type === 'signal.received' && event.action === 'cut') as LifecycleEvent
).at;

/** The moment of `events`' first event of `type`. */
export function momentOf(events: readonly LifecycleEvent[], type: LifecycleEvent['type']): number {
  const event = events.find((candidate) => candidate.type === type);
  if (event === undefined) throw new Error(`no ${type} event in the trace`);
  return event.at;
}

/** What the replica's `/debug/lifecycle` would have said at `at`: the fold of its events until then. */
export function snapshotAt(events: readonly LifecycleEvent[], at: number): LifecycleSnapshot {
  const snapshot = foldLifecycleEvents(events.filter((event) => event.at <= at));
  if (snapshot === undefined) throw new Error(`no app.starting before ${at}`);
  // As kas serves it: `at` is the moment asked for, and the wall clock is read at that moment.
  return { ...snapshot, at, wallClock: snapshot.wallClock + (at - snapshot.wallClockAt), wallClockAt: at };
}

/** The events of `events` after `at`, up to and with `until`. */
export function eventsBetween(
  events: readonly LifecycleEvent[],
  at: number,
  until = Number.POSITIVE_INFINITY,
): LifecycleEvent[] {
  return events.filter((event) => event.at > at && event.at <= until);
}

/** `events` as the replica's next process would record them: another clock origin and start. */
export function asAnotherRun(events: readonly LifecycleEvent[], laterByMs: number): LifecycleEvent[] {
  return events.map((event) =>
    event.type === 'app.starting'
      ? { ...event, at: event.at + 0.25, wallClock: event.wallClock + laterByMs }
      : { ...event, at: event.at + 0.25 },
  );
}

/** `events` with the stop forced as `change` says (for instance by the deadline instead of a signal). */
export function withStopped(
  events: readonly LifecycleEvent[],
  change: Partial<Extract<LifecycleEvent, { type: 'app.stopped' }>>,
): LifecycleEvent[] {
  return events.map((event) => (event.type === 'app.stopped' ? { ...event, ...change } : event));
}
