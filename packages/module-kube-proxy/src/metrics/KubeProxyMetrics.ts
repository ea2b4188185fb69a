import { EventEmitter } from 'node:events';
import type { UpgradedEnding } from '../http/UpgradedConnection.js';
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
  /**
   * For a request that asked to switch protocols (exec, attach, port-forward): how the switched connection
   * ended, or `notSwitched` when it was answered without a switch (refused, not allowed, upstream error).
   */
  readonly upgrade?: UpgradedEnding | 'notSwitched';
  /** The request's method and path (without the query); absent for one Node could not parse. */
  readonly method?: string;
  readonly path?: string;
  /**
   * The user its token named, once kas knew the token's secret (absent without a valid token), and the
   * agent the token named (present even for an unknown secret).
   */
  readonly user?: string;
  readonly agentId?: string;
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
  /** Upgraded connections (exec, attach, port-forward): open now, and finished ones by how they ended. */
  readonly upgrades: {
    readonly open: number;
    readonly byEnding: Readonly<Record<UpgradedEnding | 'notSwitched', number>>;
  };
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
  readonly #upgradesByEnding = { closed: 0, upstreamFailed: 0, idle: 0, cut: 0, notSwitched: 0 };

  constructor(
    private readonly inFlight: { readonly size: number },
    private readonly upgradesOpen: { readonly open: number } = { open: 0 },
  ) {}

  record(request: FinishedRequest): void {
    this.#byStatus.set(request.status, (this.#byStatus.get(request.status) ?? 0) + 1);
    this.#byRoute[request.route] += 1;
    if (request.outcome === 'cut') this.#cutAtDrainEnd += 1;
    if (request.upgrade !== undefined) this.#upgradesByEnding[request.upgrade] += 1;
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
      upgrades: { open: this.upgradesOpen.open, byEnding: { ...this.#upgradesByEnding } },
    };
  }

  onRequestFinished(listener: (request: FinishedRequest) => void): () => void {
    this.#finished.on('finished', listener);
    return () => this.#finished.off('finished', listener);
  }
}
