// A replica's lifecycle stream (Server-Sent Events, read with fetch and eventsource-parser as `kas-graph
// watch` reads it): the snapshot first, then lifecycle events folded into it with `@kas/core/snapshot`'s
// own fold. It reconnects by itself, waiting twice as long after each try that brings no stream (from
// the stream's `retry` up to 30 s), and says why a source fails, which EventSource cannot tell. A
// stream lost before the replica stopped stops the clock at that moment: nothing is known since. A
// snapshot from another run of the replica (it restarted) starts over; the run before goes to `onNewRun`.
import { createParser } from 'eventsource-parser';
import { formatClock } from './format.js';
import { applyLifecycleEvents } from './snapshot/index.js';

/** @typedef {import('./snapshot/index.js').LifecycleSnapshot} LifecycleSnapshot */

/**
 * Where a stream stands: `connecting` (no snapshot yet), `live`, `ended` (the replica stopped: its
 * stream ends after `app.stopped`), `lost` (it broke off before the replica stopped) or `failed` (no
 * stream came from the source yet).
 * @typedef {'connecting' | 'live' | 'ended' | 'lost' | 'failed'} StreamState
 */

/** When the stream was lost: the replica's clock as estimated here, and the wall clock. */
/** @typedef {{ at: number, wallClock: number }} StreamLoss */

const FIRST_RETRY_MS = 1_000; // until the stream says its own (`retry:`)
const MAX_RETRY_MS = 30_000;
const SAME_RUN_CLOCK_MS = 1_000; // how far apart two snapshots' clock origins may be and be one process

/**
 * Follows the stream at `url` and keeps `snapshot` current; `now()` is the replica's monotonic clock as
 * estimated here (the snapshot carries the moment it describes), standing still once the replica stopped
 * or the stream was lost (`lost`). `onStatus` hears `{ text, kind, retryMs }` changes, `onNewRun(snapshot,
 * now, lost)` the last picture of a run the replica left for a new one.
 */
export function connectLive(url, { onStatus, onNewRun }) {
  const abort = new AbortController();
  /** @type {LifecycleSnapshot | undefined} */
  let folded;
  /**
   * Events not folded into `folded` yet: they are folded at once when the snapshot is read (each frame),
   * not one by one as they come: a stop's thousands of events each copied a large plan's snapshot.
   * @type {Parameters<typeof applyLifecycleEvents>[1][number][]}
   */
  let pending = [];
  /**
   * @type {{ snapshot: LifecycleSnapshot | undefined, stream: StreamState, lost: StreamLoss | undefined,
   *   offsetMs: number, now(): number, close(): void }}
   */
  const live = {
    get snapshot() {
      if (folded !== undefined && pending.length > 0) {
        folded = applyLifecycleEvents(folded, pending);
        pending = [];
      }
      return folded;
    },
    set snapshot(snapshot) {
      folded = snapshot;
      pending = [];
    },
    stream: 'connecting',
    lost: undefined,
    offsetMs: 0,
    now() {
      if (live.snapshot?.state === 'stopped') return live.snapshot.at; // budgets no longer count down
      if (live.lost !== undefined) return live.lost.at;
      return performance.now() + live.offsetMs;
    },
    close: () => abort.abort(),
  };
  let retryMs = FIRST_RETRY_MS;

  const receiveSnapshot = (/** @type {LifecycleSnapshot} */ snapshot) => {
    const previous = live.snapshot;
    const isNewRun = previous !== undefined && !isSameRun(previous, snapshot);
    if (isNewRun) onNewRun(previous, live.now(), live.lost);
    const wasLost = live.lost !== undefined;
    live.snapshot = snapshot;
    live.offsetMs = snapshot.at - performance.now();
    live.lost = undefined;
    const isStopped = snapshot.state === 'stopped';
    live.stream = isStopped ? 'ended' : 'live';
    const text = isNewRun
      ? `${isStopped ? 'stopped' : 'live'}: a new run of the replica (the previous run is kept below)`
      : isStopped
        ? 'the replica stopped'
        : wasLost
          ? `live again since ${formatClock(Date.now())}`
          : 'live';
    onStatus({ text, kind: isStopped ? 'ended' : 'live' });
  };
  const receiveEvent = (event) => {
    if (folded === undefined) return;
    pending.push(event);
    if (event.type === 'app.stopped') {
      live.stream = 'ended';
      onStatus({ text: 'the replica stopped; the stream ended', kind: 'ended' });
    }
  };

  /** One connection, until its stream ends; what went wrong when no stream came. */
  const readOnce = async () => {
    let response;
    try {
      response = await fetch(url, { headers: { accept: 'text/event-stream' }, signal: abort.signal });
    } catch {
      return { failure: describeUnreachable(url) }; // fetch tells no more than that it failed
    }
    if (!response.ok) return { failure: await describeStatus(url, response) };
    const contentType = response.headers.get('content-type') ?? 'no content type';
    if (!contentType.startsWith('text/event-stream') || response.body === null) {
      await response.body?.cancel();
      return {
        failure: `${url} answered ${contentType}, not an event stream: give a /debug/lifecycle/events URL`,
      };
    }
    let hasSnapshot = false;
    const parser = createParser({
      onEvent(message) {
        if (message.event === 'snapshot') {
          receiveSnapshot(JSON.parse(message.data));
          hasSnapshot = true;
        } else if (message.event === 'lifecycle') {
          receiveEvent(JSON.parse(message.data));
        }
      },
      onRetry(ms) {
        retryMs = ms;
      },
    });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    try {
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
        parser.feed(chunk.value);
    } catch {
      // The connection broke (the replica was killed, the network went): the same as an end, below.
    }
    return { hasSnapshot, failure: hasSnapshot ? undefined : `${url} ended its stream before its snapshot` };
  };

  /** After a stream ended: the replica stopped, or the stream was lost and the clock stops now. */
  const endStream = () => {
    if (live.snapshot === undefined || live.stream === 'ended') return;
    live.stream = 'lost';
    live.lost ??= { at: performance.now() + live.offsetMs, wallClock: Date.now() };
  };

  const report = (failure, waitMs) => {
    const nextTry = `next try at ${formatClock(Date.now() + waitMs)}`;
    if (live.stream === 'ended') {
      onStatus({
        text: `the replica stopped; the stream ended. Waiting for the replica to come back (${nextTry})`,
        kind: 'ended',
        retryMs: waitMs,
      });
    } else if (live.stream === 'lost' && live.lost !== undefined) {
      const why = failure === undefined ? '' : `; ${failure}`;
      onStatus({
        text: `stream lost at ${formatClock(live.lost.wallClock)}${why}; ${nextTry}`,
        kind: 'lost',
        retryMs: waitMs,
      });
    } else {
      live.stream = 'failed';
      onStatus({ text: `${failure}; ${nextTry}`, kind: 'error', retryMs: waitMs });
    }
  };

  const follow = async () => {
    let waitMs = retryMs;
    onStatus({ text: `connecting to ${url}`, kind: 'waiting' });
    while (!abort.signal.aborted) {
      const { hasSnapshot, failure } = await readOnce();
      if (abort.signal.aborted) return;
      endStream();
      if (hasSnapshot) waitMs = retryMs; // a stream came: the waits start over
      report(failure, waitMs);
      await sleep(waitMs, abort.signal);
      waitMs = Math.min(MAX_RETRY_MS, waitMs * 2);
    }
  };
  follow().catch((error) => {
    onStatus({
      text: `reading ${url} failed: ${error instanceof Error ? error.message : String(error)}`,
      kind: 'error',
    });
  });
  return live;
}

/** Whether two snapshots come from one run of the replica: the same start, or the same clock origin. */
function isSameRun(a, b) {
  if (a.startedAt !== undefined && b.startedAt !== undefined) return a.startedAt === b.startedAt;
  return Math.abs(a.wallClock - a.wallClockAt - (b.wallClock - b.wallClockAt)) < SAME_RUN_CLOCK_MS;
}

function describeUnreachable(url) {
  const target = new URL(url, location.href);
  const cors = target.origin === location.origin ? '' : ', or it does not let this page read it (CORS)';
  return `nothing answers at ${target.host}: no server is listening there (connection refused), or it is unreachable${cors}`;
}

async function describeStatus(url, response) {
  const body = await response.text().catch(() => ''); // only to quote it: a body that breaks off is none
  const said = body.trim().split('\n')[0]?.slice(0, 200) ?? '';
  if (response.status === 404) {
    return `${url} answered 404 (not found): the lifecycle view is off there (it needs observability.debug: true) or the URL is wrong${said === '' ? '' : ` (it said: ${said})`}`;
  }
  return `${url} answered ${response.status}${said === '' ? '' : `: ${said}`}`;
}

function sleep(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve(undefined);
      },
      { once: true },
    );
  });
}
