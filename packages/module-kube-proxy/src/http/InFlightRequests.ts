import type { ServerResponse } from 'node:http';
import type { RequestOutcome } from '../metrics/KubeProxyMetrics.js';
import type { RouteKind } from '../routing/TunnelRouter.js';

/** What the proxy knows about one request while it is in flight. */
export interface InFlightRequest {
  readonly startedAt: number;
  route: RouteKind | 'none';
  /** Set when the request ends other than by completing or by its client leaving. */
  outcome: RequestOutcome | undefined;
}

/** The requests being served, so a drain can wait for them and cut what is left at its budget. */
export class InFlightRequests {
  readonly #requests = new Map<ServerResponse, InFlightRequest>();
  #whenIdle: (() => void) | undefined;

  get size(): number {
    return this.#requests.size;
  }

  add(response: ServerResponse, request: InFlightRequest): void {
    this.#requests.set(response, request);
  }

  delete(response: ServerResponse): void {
    this.#requests.delete(response);
    if (this.#requests.size === 0) this.#whenIdle?.();
  }

  /** Resolves once no request is in flight. */
  whenIdle(): Promise<void> {
    if (this.#requests.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#whenIdle = resolve;
    });
  }

  /** Cuts every request in flight (its connection is destroyed) and returns how many there were. */
  cutAll(): number {
    const count = this.#requests.size;
    for (const [response, request] of [...this.#requests]) {
      request.outcome = 'cut';
      response.destroy();
    }
    return count;
  }
}
