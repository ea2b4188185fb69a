// A panel's headline: the app's state, how long it ran, and its stop (going on, or how it ended). On a
// lost stream the state is unknown and the rest is what was known when the stream was lost, said so.
import { escapeText, formatClock, formatMs, formatStopOutcome } from './format.js';

/**
 * The headline's markup for `snapshot` at `now`; `lost` (`{ wallClock }`, when the stream was lost)
 * freezes it at that moment.
 */
export function describeHeadline(snapshot, now, lost) {
  const start = snapshot.stages.filter((stage) => stage.phase === 'start');
  const started =
    snapshot.startedAt === undefined
      ? `start plan: ${start.length} stage(s)`
      : snapshot.state === 'stopped'
        ? `ran ${formatMs((snapshot.stop?.beganAt ?? now) - snapshot.startedAt)} (${start.length} start stage(s))`
        : `started ${formatMs(now - snapshot.startedAt)} ${lost === undefined ? 'ago' : 'before'} (${start.length} start stage(s))`;
  const stop = snapshot.stop;
  if (lost !== undefined) {
    const known =
      stop !== undefined && stop.status === undefined
        ? [
            `stopping (${stop.reason}) for ${formatMs(now - stop.beganAt)}`,
            stop.isDeadlinePassed
              ? 'shutdown deadline passed'
              : `shutdown deadline ${formatMs(stop.deadlineAt - now)} away`,
          ]
        : [snapshot.state, started];
    return [
      `<span class="app-state unknown" title="last known: ${escapeText(snapshot.state)}">unknown</span>`,
      `<span class="lost">no news since ${escapeText(formatClock(lost.wallClock))} (stream lost)</span>`,
      escapeText(`last known: ${known.join(', ')}`),
    ].join(' · ');
  }
  // Every field of a snapshot is what the stream said (any ?source= URL): written as text, even in classes.
  const outcome = stop?.status === undefined ? '' : ` ${stop.status}`;
  const parts = [
    `<span class="app-state ${escapeText(`${snapshot.state}${outcome}`)}">${escapeText(snapshot.state)}</span>`,
    escapeText(started),
  ];
  if (stop !== undefined) {
    if (stop.status !== undefined) {
      parts.push(
        `stop (${escapeText(stop.reason)}) <span class="outcome ${escapeText(stop.status)}" data-outcome>${escapeText(formatStopOutcome(stop))}</span> in ${escapeText(formatMs(stop.durationMs ?? 0))}` +
          (stop.cut?.length ? escapeText(` · cut: ${stop.cut.join(', ')}`) : ''),
      );
    } else {
      parts.push(
        escapeText(`stopping (${stop.reason}) for ${formatMs(now - stop.beganAt)}`),
        stop.isDeadlinePassed
          ? '<span class="late">shutdown deadline passed</span>'
          : escapeText(`shutdown deadline in ${formatMs(stop.deadlineAt - now)}`),
      );
    }
  }
  return parts.join(' · ');
}
