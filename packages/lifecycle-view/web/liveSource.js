// A replica's lifecycle stream (Server-Sent Events): the snapshot first, then lifecycle events folded into
// it with `@kas/core/snapshot`'s own fold. A new snapshot (after a reconnect: the replica restarted)
// starts over.
import { applyLifecycleEvent } from './snapshot/index.js';

/** @typedef {import('./snapshot/index.js').LifecycleSnapshot} LifecycleSnapshot */

/**
 * Connects to `url` and keeps `snapshot` current; `now()` is the replica's monotonic clock as estimated
 * here (the snapshot carries the moment it describes). `onStatus` hears `{ text, kind }` changes.
 */
export function connectLive(url, onStatus) {
  const source = new EventSource(url);
  /** @type {{ snapshot: LifecycleSnapshot | undefined, offsetMs: number, now(): number, close(): void }} */
  const live = {
    snapshot: undefined,
    offsetMs: 0,
    now() {
      // A stopped app's clock stands still at its last event: budgets no longer count down.
      if (live.snapshot?.state === 'stopped') return live.snapshot.at;
      return performance.now() + live.offsetMs;
    },
    close: () => source.close(),
  };
  onStatus({ text: `connecting to ${url}`, kind: 'waiting' });
  source.addEventListener('snapshot', (message) => {
    /** @type {LifecycleSnapshot} */
    const snapshot = JSON.parse(message.data);
    live.snapshot = snapshot;
    live.offsetMs = snapshot.at - performance.now();
    onStatus({ text: 'live', kind: 'live' });
  });
  source.addEventListener('lifecycle', (message) => {
    if (live.snapshot === undefined) return;
    const event = JSON.parse(message.data);
    live.snapshot = applyLifecycleEvent(live.snapshot, event);
    if (event.type === 'app.stopped')
      onStatus({ text: 'the replica stopped; the stream ended', kind: 'ended' });
  });
  source.addEventListener('error', () => {
    if (live.snapshot?.state === 'stopped') return;
    onStatus({ text: `disconnected from ${url}; retrying`, kind: 'error' });
  });
  return live;
}
