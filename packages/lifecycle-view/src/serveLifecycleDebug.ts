import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { LifecycleFeed } from './LifecycleFeed.js';
import { readLifecycleViewAsset } from './readLifecycleViewAsset.js';

/** The path of the lifecycle page. */
export const LIFECYCLE_PAGE = '/debug/lifecycle/ui/';

/** The paths `serveLifecycleDebug` answers (the page's files are under the last), for a listener's "not found" hint. */
export const LIFECYCLE_DEBUG_PATHS = ['/debug/lifecycle', '/debug/lifecycle/events', LIFECYCLE_PAGE] as const;

/**
 * Answers the lifecycle debug endpoints: `/debug/lifecycle` (the snapshot as JSON),
 * `/debug/lifecycle/events` (Server-Sent Events: the snapshot, then every lifecycle event and progress
 * record) and the page `/debug/lifecycle/ui/` (`@kas/lifecycle-view`'s files). Returns false for any
 * other path. `path` is the request's path without its query; the caller has checked the method (GET or
 * HEAD). A file of the page that cannot be read is answered 500 and logged to `log`.
 */
export function serveLifecycleDebug(
  path: string,
  response: ServerResponse,
  feed: LifecycleFeed,
  log: Logger,
): boolean {
  if (path === '/debug/lifecycle') {
    const snapshot = feed.snapshot();
    if (snapshot === undefined) {
      response.writeHead(503, { 'content-type': 'text/plain' }).end('the app is not connected yet\n');
    } else {
      response
        .writeHead(200, {
          'content-type': 'application/json',
          'cache-control': 'no-store',
          'access-control-allow-origin': '*', // read-only and secret-free: the demo's page reads every replica
        })
        .end(`${JSON.stringify(snapshot)}\n`);
    }
    return true;
  }
  if (path === '/debug/lifecycle/events') {
    feed.openStream(response);
    return true;
  }
  if (path === LIFECYCLE_PAGE.slice(0, -1)) {
    response.writeHead(301, { location: LIFECYCLE_PAGE }).end(); // the page's files are relative to the folder
    return true;
  }
  if (!path.startsWith(LIFECYCLE_PAGE)) return false;
  readLifecycleViewAsset(path.slice(LIFECYCLE_PAGE.length)).then(
    (asset) => {
      if (asset === undefined) {
        response.writeHead(404, { 'content-type': 'text/plain' }).end(`no such file of the page: ${path}\n`);
      } else {
        response
          .writeHead(200, { 'content-type': asset.contentType, 'cache-control': 'no-cache' })
          .end(asset.body);
      }
    },
    (error: unknown) => {
      log.error({ err: error, path }, 'reading a file of the lifecycle page failed');
      response.writeHead(500, { 'content-type': 'text/plain' }).end('reading the page failed\n');
    },
  );
  return true;
}
