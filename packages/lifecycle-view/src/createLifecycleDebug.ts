import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { App } from '@kas/core';
import { type Logger, pino } from 'pino';
import { LifecycleFeed, type LifecycleFeedOptions } from './LifecycleFeed.js';
import { serveLifecycleDebug } from './serveLifecycleDebug.js';

/** Options of `createLifecycleDebug`: the feed's bounds, and where failures are logged. */
export interface LifecycleDebugOptions extends LifecycleFeedOptions {
  /** Where a file of the page that cannot be read is logged. Default `pino()` to stdout, as `createApp`'s. */
  readonly log?: Logger;
}

/** One app's lifecycle debug endpoints, for a listener of the app's own. */
export interface LifecycleDebug {
  /**
   * Answers a GET or HEAD of `/debug/lifecycle` (the snapshot as JSON), `/debug/lifecycle/events`
   * (Server-Sent Events) or a file of the page under `/debug/lifecycle/ui/`, and returns true; returns
   * false, answering nothing, for any other path or method, so the listener's own routes go on.
   */
  handle(request: IncomingMessage, response: ServerResponse): boolean;
  /**
   * The sockets of the open event streams. They end right after `app.stopped`: a listener that is a
   * module of the app must not wait for them in its stop (it would wait until its drain budget cuts them).
   */
  streamSockets(): ReadonlySet<Socket>;
  /** Ends every open event stream now (for a listener closed before the app has stopped). */
  close(): void;
}

/**
 * The lifecycle debug endpoints of `app`, the ones `kas-graph watch <url>` and the lifecycle page read,
 * to mount on any `node:http` listener: `if (!debug.handle(request, response))` the listener answers
 * as it would without them. The event streams are `LifecycleFeed`'s: bounded, and ended after the app
 * has stopped.
 */
export function createLifecycleDebug(app: App, options: LifecycleDebugOptions = {}): LifecycleDebug {
  const { log = pino(), ...feedOptions } = options;
  const feed = new LifecycleFeed(feedOptions);
  feed.connect(app);
  return {
    handle(request, response) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return false;
      return serveLifecycleDebug(request.url?.split('?')[0] ?? '/', response, feed, log);
    },
    streamSockets: () => feed.streamSockets(),
    close: () => feed.endStreams(),
  };
}
