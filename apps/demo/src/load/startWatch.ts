import { Watch } from '@kubernetes/client-node';
import { wallNow } from '../cluster/wallClock.js';
import { type KubeTarget, kubeConfigFor } from './kubeConfigFor.js';

/** What one watch saw, updated as it runs. */
export interface WatchRecord {
  readonly agent: string;
  readonly server: string;
  readonly openedAtMs: number;
  /** Watch events received (`ADDED`, `MODIFIED`, ...). */
  events: number;
  lastEventAtMs: number | undefined;
  /** When client-node called `done`; undefined while open. */
  endedAtMs: number | undefined;
  /** The error `done` was called with; undefined for a clean end (or while open). */
  endError: string | undefined;
  /** True when this client ended the watch itself. */
  isEndedByClient: boolean;
}

/** A running watch. */
export interface WatchHandle {
  readonly record: WatchRecord;
  /** Resolves when the watch ended, for whatever reason. */
  readonly ended: Promise<WatchRecord>;
  /** Ends the watch from the client side. */
  abort(): void;
}

/**
 * Watches the pods of namespace `default` with client-node's `Watch`, as an informer would, counting
 * the events that arrive and recording how the stream ends.
 */
export function startWatch(target: KubeTarget, agent: string): WatchHandle {
  const record: WatchRecord = {
    agent,
    server: target.server,
    openedAtMs: wallNow(),
    events: 0,
    lastEventAtMs: undefined,
    endedAtMs: undefined,
    endError: undefined,
    isEndedByClient: false,
  };
  let controller: AbortController | undefined;
  const ended = new Promise<WatchRecord>((resolve) => {
    const done = (error: unknown) => {
      if (record.endedAtMs !== undefined) return;
      record.endedAtMs = wallNow();
      if (error !== null && error !== undefined && !record.isEndedByClient) {
        const { message, statusCode } = error as { message?: string; statusCode?: number };
        record.endError = statusCode === undefined ? String(message ?? error) : `${statusCode} ${message}`;
      }
      resolve(record);
    };
    new Watch(kubeConfigFor(target))
      .watch(
        '/api/v1/namespaces/default/pods',
        {},
        () => {
          record.events += 1;
          record.lastEventAtMs = wallNow();
        },
        done,
      )
      .then((started) => {
        controller = started;
        if (record.isEndedByClient) started.abort();
      }, done);
  });
  return {
    record,
    ended,
    abort() {
      record.isEndedByClient = true;
      controller?.abort();
    },
  };
}
