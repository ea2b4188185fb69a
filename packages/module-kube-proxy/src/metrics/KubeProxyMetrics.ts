import { EventEmitter } from 'node:events';
import type { RouteKind } from '../routing/TunnelRouter.js';

/** How a request ended. */
export type RequestOutcome =
  /** The answer was sent whole (an error `Status` from kas included). */
  | 'completed'
  /** The client went away before the answer ended. */
  | 'clientClosed'
  /** The answer broke after its head was sent: the client connection was cut. */
  | 'upstreamFailed'
  /** Still in flight when the drain budget ended: cut. */
  | 'cut';

/** One finished request, as `onRequestFinished` listeners get it. */
export interface FinishedRequest {
  /** The status code sent, or 0 when no response head was sent. */
  readonly status: number;
  readonly durationSeconds: number;
  /** `'none'` when the request was answered by kas itself (auth failure, no tunnel). */
  readonly route: RouteKind | 'none';
  readonly outcome: RequestOutcome;
}

/** Counters since start, and the gauges of now. */
export interface KubeProxyMetricsSnapshot {
  /** Requests being served right now (watches included). */
  readonly inFlight: number;
  /** Finished requests by status code sent (`'0'`: no head was sent). */
  readonly requestsByStatus: Readonly<Record<string, number>>;
  /** Finished requests by route. */
  readonly requestsByRoute: Readonly<Record<RouteKind | 'none', number>>;
  /** Requests cut because they were still in flight when the drain budget ended. */
  readonly cutAtDrainEnd: number;
}

/**
 * The kube proxy's metrics hooks: a snapshot of counters and gauges to read at scrape time, and a
 * listener for every finished request (for duration histograms). The kas app turns them into
 * Prometheus metrics.
 */
export interface KubeProxyMetrics {
  snapshot(): KubeProxyMetricsSnapshot;
  /** Calls `listener` for every finished request; returns the unsubscribe function. */
  onRequestFinished(listener: (request: FinishedRequest) => void): () => void;
}

/** The counters behind `KubeProxyMetrics`. */
export class ProxyCounters implements KubeProxyMetrics {
  readonly #finished = new EventEmitter<{ finished: [FinishedRequest] }>();
  readonly #byStatus = new Map<number, number>();
  readonly #byRoute = { local: 0, remote: 0, none: 0 };
  #cutAtDrainEnd = 0;

  constructor(private readonly inFlight: { readonly size: number }) {}

  record(request: FinishedRequest): void {
    this.#byStatus.set(request.status, (this.#byStatus.get(request.status) ?? 0) + 1);
    this.#byRoute[request.route] += 1;
    if (request.outcome === 'cut') this.#cutAtDrainEnd += 1;
    if (this.#finished.listenerCount('finished') > 0) this.#finished.emit('finished', request);
  }

  snapshot(): KubeProxyMetricsSnapshot {
    return {
      inFlight: this.inFlight.size,
      requestsByStatus: Object.fromEntries(
        [...this.#byStatus].map(([status, count]) => [String(status), count]),
      ),
      requestsByRoute: { ...this.#byRoute },
      cutAtDrainEnd: this.#cutAtDrainEnd,
    };
  }

  onRequestFinished(listener: (request: FinishedRequest) => void): () => void {
    this.#finished.on('finished', listener);
    return () => this.#finished.off('finished', listener);
  }
}
