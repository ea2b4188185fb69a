import type { Authentication } from '../auth/UserAuthenticator.js';
import type { FinishedRequest, RequestOutcome } from '../metrics/KubeProxyMetrics.js';
import type { RouteKind } from '../routing/TunnelRouter.js';
import type { DrainCutWords } from './drainCutWords.js';

/** What the proxy knows about one request while it is in flight. */
export interface InFlightRequest {
  readonly startedAt: number;
  route: RouteKind | 'none';
  /** A Kubernetes watch (`watch=1` or `watch=true`): a stream of JSON lines. Known when added. */
  readonly isWatch: boolean;
  readonly method: string;
  /** The path, without the query. */
  readonly path: string;
  /** Who the token named, as far as kas knows it (see `FinishedRequest`). */
  user?: string;
  agentId?: string;
  /** Set when the request ends other than by completing or by its client leaving. */
  outcome: RequestOutcome | undefined;
  /**
   * For a watch whose answer is streaming: ends it as the API server ends a watch (the final chunk) when
   * the bytes sent so far end at an event boundary, and says whether it could.
   */
  endWatchCleanly?: () => boolean;
  /** Gives back the request's slot under a limit (`maxLongRunningPerUser`) when it ends. */
  releaseSlot?: () => void;
  /** For an upgraded connection (exec, attach, port-forward): cuts it and tells its client why. */
  cutUpgraded?: (cut: DrainCutWords) => void;
}

/** Keeps on the request who its token named, for its record when it ends. */
export function identify(entry: InFlightRequest, auth: Authentication): void {
  if ('user' in auth) entry.user = auth.user;
  if (auth.agentId !== undefined) entry.agentId = auth.agentId;
}

/** The fields of a finished request's record that say what was asked and by whom. */
export function identityOf(
  entry: InFlightRequest,
): Pick<FinishedRequest, 'method' | 'path' | 'user' | 'agentId'> {
  return {
    method: entry.method,
    path: entry.path,
    ...(entry.user === undefined ? {} : { user: entry.user }),
    ...(entry.agentId === undefined ? {} : { agentId: entry.agentId }),
  };
}

/** What a request in flight is held by: its response, or for an upgraded connection its socket. */
export interface InFlightHandle {
  destroy(): unknown;
}

/**
 * The requests being served, so a drain can wait for them and cut what is left at its budget, and its
 * progress can be told as each one ends. A cut request is no longer in flight: it is counted under the
 * cut from that moment, not when its connection has finished closing.
 */
export class InFlightRequests {
  readonly #requests = new Map<InFlightHandle, InFlightRequest>();
  /** Cut requests whose response or socket has not closed yet. */
  readonly #ending = new Set<InFlightHandle>();
  #watches = 0;
  #whenIdle: (() => void) | undefined;
  #whenCutClosed: (() => void) | undefined;
  #onChange: (() => void) | undefined;

  /** How many requests are in flight, not counting those cut. */
  get size(): number {
    return this.#requests.size;
  }

  /** How many of them are watches. */
  get watches(): number {
    return this.#watches;
  }

  add(response: InFlightHandle, request: InFlightRequest): void {
    this.#requests.set(response, request);
    if (request.isWatch) this.#watches += 1;
    this.#onChange?.();
  }

  /** Called when a request's response (or upgraded socket) has closed, whether it was cut or not. */
  delete(response: InFlightHandle): void {
    if (this.#ending.delete(response)) {
      if (this.#ending.size === 0) this.#whenCutClosed?.();
      return;
    }
    const request = this.#requests.get(response);
    if (request === undefined) return;
    this.#requests.delete(response);
    if (request.isWatch) this.#watches -= 1;
    if (this.#requests.size === 0) this.#whenIdle?.();
    this.#onChange?.();
  }

  /** Calls `listener` after every add and delete (one listener: the stopping server's progress). */
  onChange(listener: (() => void) | undefined): void {
    this.#onChange = listener;
  }

  /** Resolves once no request is in flight. */
  whenIdle(): Promise<void> {
    if (this.#requests.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#whenIdle = resolve;
    });
  }

  /**
   * Resolves once every cut request's response (or socket) has closed, so it has been counted and its
   * end published to the proxy's listeners (kas's activity), or after `limitMs`, whichever comes first.
   */
  whenCutClosed(limitMs: number): Promise<void> {
    if (this.#ending.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#whenCutClosed = undefined;
        resolve();
      };
      const timer = setTimeout(done, limitMs);
      this.#whenCutClosed = done;
    });
  }

  /**
   * Cuts every request in flight and returns how many there were. A watch at an event boundary ends
   * cleanly, so its client re-watches (client-node's informer gives up on a broken stream); anything else
   * loses its connection, so no client takes a truncated body for a whole one. An upgraded connection is
   * told why where its protocol lets kas say it (see `UpgradedConnection`).
   */
  cutAll(cut: DrainCutWords): number {
    const cutRequests = [...this.#requests];
    // Out of the count first: ending one may close it at once, and that close is then no change.
    this.#requests.clear();
    this.#watches = 0;
    for (const [response] of cutRequests) this.#ending.add(response);
    for (const [response, request] of cutRequests) {
      request.outcome = 'cut';
      if (request.cutUpgraded !== undefined) request.cutUpgraded(cut);
      else if (request.endWatchCleanly?.() !== true) response.destroy();
    }
    if (cutRequests.length > 0) {
      this.#whenIdle?.();
      this.#onChange?.();
    }
    return cutRequests.length;
  }
}
