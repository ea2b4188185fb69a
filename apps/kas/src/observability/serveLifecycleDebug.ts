import type { ServerResponse } from 'node:http';
import type { LifecycleFeed } from './LifecycleFeed.js';

/** The paths `serveLifecycleDebug` answers, for the listener's "not found" hint. */
export const LIFECYCLE_DEBUG_PATHS = ['/debug/lifecycle', '/debug/lifecycle/events'] as const;

/**
 * Answers the lifecycle debug endpoints: `/debug/lifecycle` (the snapshot as JSON) and
 * `/debug/lifecycle/events` (Server-Sent Events: the snapshot, then every lifecycle event and progress
 * record). Returns false for any other path.
 */
export function serveLifecycleDebug(path: string, response: ServerResponse, feed: LifecycleFeed): boolean {
  if (path === '/debug/lifecycle') {
    const snapshot = feed.snapshot();
    if (snapshot === undefined) {
      response.writeHead(503, { 'content-type': 'text/plain' }).end('the app is not connected yet\n');
    } else {
      response
        .writeHead(200, {
          'content-type': 'application/json',
          'cache-control': 'no-store',
          'access-control-allow-origin': '*',
        })
        .end(`${JSON.stringify(snapshot)}\n`);
    }
    return true;
  }
  if (path === '/debug/lifecycle/events') {
    feed.openStream(response);
    return true;
  }
  return false;
}
