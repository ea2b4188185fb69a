import type { Token } from '@kas/core';
import { AgentGrpcServerToken } from '@kas/module-agent-grpc';
import { type KubeProxyMetrics, KubeProxyMetricsToken } from '@kas/module-kube-proxy';
import {
  RedisHealthToken,
  RedisToken,
  TRACKER_OPERATIONS,
  TunnelTrackerMetricsToken,
} from '@kas/module-tunnel-tracker';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Finds what a module provides, or undefined while that module does not exist (yet, or in this app). */
export type ProvidedLookup = <T>(token: Token<T>) => T | undefined;

/**
 * Prometheus metrics read from the modules' own hooks at scrape time: agent connections and tunnels,
 * the tunnel directory's registrations and Redis round trips, the kube proxy's requests.
 */
export function registerModuleMetrics(registry: Registry, lookup: ProvidedLookup): void {
  new Gauge({
    name: 'kas_agent_connections',
    help: 'Agent connections that hold at least one tunnel',
    registers: [registry],
    collect() {
      const server = lookup(AgentGrpcServerToken);
      if (server !== undefined) this.set(server.connectionCount());
    },
  });
  new Gauge({
    name: 'kas_agent_tunnels',
    help: 'Reverse tunnels on this replica, by state (idle: waiting for a request; busy: carrying one)',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const server = lookup(AgentGrpcServerToken);
      if (server === undefined) return;
      const idle = server.idleTunnelCount();
      this.set({ state: 'idle' }, idle);
      this.set({ state: 'busy' }, Math.max(0, server.tunnelCount() - idle));
    },
  });
  new Counter({
    name: 'kas_agent_tunnel_events_total',
    help: 'What happened to reverse tunnels since start, by event (tunnels.registered, exchanges.finished, tunnels.finished, tunnels.trimmed, tunnels.cancelled, tunnels.endedByGrpc, tunnels.lost, tunnels.refused.<code>)',
    labelNames: ['event'] as const,
    registers: [registry],
    collect() {
      const server = lookup(AgentGrpcServerToken);
      if (server === undefined) return;
      this.reset();
      for (const [event, count] of Object.entries(server.counters())) this.inc({ event }, count ?? 0);
    },
  });
  new Gauge({
    name: 'kas_redis_connected',
    help: "1 while the tunnel directory's Redis connection is ready and Redis answers, 0 while it is lost (ioredis reconnects) or stalled (open, but no answer to a PING within the command timeout); absent with the in-memory directory. Requests for agents held elsewhere fail meanwhile",
    registers: [registry],
    collect() {
      const client = lookup(RedisToken);
      this.reset();
      if (client === undefined) return;
      const health = lookup(RedisHealthToken);
      this.set((health?.isAnswering() ?? client.status === 'ready') ? 1 : 0);
    },
  });
  new Gauge({
    name: 'kas_tunnel_directory_registered_agents',
    help: 'Agents this replica advertises in the tunnel directory',
    registers: [registry],
    collect() {
      const tracker = lookup(TunnelTrackerMetricsToken);
      if (tracker !== undefined) this.set(tracker.snapshot().registeredAgents);
    },
  });
  for (const [name, help, field] of [
    [
      'kas_tunnel_directory_round_trips_total',
      'Round trips to the tunnel directory store (Redis), by operation',
      'roundTrips',
    ],
    [
      'kas_tunnel_directory_errors_total',
      'Failed round trips to the tunnel directory store (Redis errors, timeouts, outages), by operation',
      'failedRoundTrips',
    ],
  ] as const) {
    new Counter({
      name,
      help,
      labelNames: ['operation'] as const,
      registers: [registry],
      collect() {
        const tracker = lookup(TunnelTrackerMetricsToken);
        if (tracker === undefined) return;
        const counts = tracker.snapshot()[field];
        this.reset();
        for (const operation of TRACKER_OPERATIONS) this.inc({ operation }, counts[operation]);
      },
    });
  }
  new Counter({
    name: 'kas_proxy_requests_total',
    help: 'Kube proxy requests finished, by HTTP status code',
    labelNames: ['code'] as const,
    registers: [registry],
    collect() {
      const proxy = lookup(KubeProxyMetricsToken);
      if (proxy === undefined) return;
      this.reset();
      for (const [code, count] of Object.entries(proxy.snapshot().requestsByStatus))
        this.inc({ code }, count);
    },
  });
  new Gauge({
    name: 'kas_proxy_inflight_requests',
    help: 'Kube proxy requests in flight (during a stop: the drain still running)',
    registers: [registry],
    collect() {
      const proxy = lookup(KubeProxyMetricsToken);
      if (proxy !== undefined) this.set(proxy.snapshot().inFlight);
    },
  });
  new Counter({
    name: 'kas_proxy_requests_cut_total',
    help: 'Kube proxy requests cut because the drain budget ended',
    registers: [registry],
    collect() {
      const proxy = lookup(KubeProxyMetricsToken);
      if (proxy === undefined) return;
      this.reset();
      this.inc(proxy.snapshot().cutAtDrainEnd);
    },
  });
  new Gauge({
    name: 'kas_proxy_upgraded_connections',
    help: 'Upgraded connections (kubectl exec, attach, cp, port-forward) open through the kube proxy',
    registers: [registry],
    collect() {
      const proxy = lookup(KubeProxyMetricsToken);
      if (proxy !== undefined) this.set(proxy.snapshot().upgrades.open);
    },
  });
  new Counter({
    name: 'kas_proxy_upgraded_connections_total',
    help: 'Finished connection upgrade requests, by how they ended: closed, upstreamFailed, idle (idle timeout), cut (drain budget), notSwitched (refused or answered without a switch)',
    labelNames: ['ending'] as const,
    registers: [registry],
    collect() {
      const proxy = lookup(KubeProxyMetricsToken);
      if (proxy === undefined) return;
      this.reset();
      for (const [ending, count] of Object.entries(proxy.snapshot().upgrades.byEnding))
        this.inc({ ending }, count);
    },
  });
}

/** Records every finished kube proxy request in a duration histogram; returns the unsubscribe function. */
export function recordProxyDurations(registry: Registry, proxy: KubeProxyMetrics): () => void {
  const histogram = new Histogram({
    name: 'kas_proxy_request_duration_seconds',
    help: 'Kube proxy request durations (watches included), by route (local tunnel, remote replica, none) and status code',
    labelNames: ['route', 'code'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
    registers: [registry],
  });
  // prom-client hashes the labels on every observe(); a request's labels take few values, so each
  // (route, code) child is looked up once and kept (this runs for every proxied request).
  const children = new Map<string, { observe(value: number): void }>();
  return proxy.onRequestFinished((request) => {
    const key = `${request.route} ${request.status}`;
    let child = children.get(key);
    if (child === undefined) {
      child = histogram.labels({ route: request.route, code: String(request.status) });
      children.set(key, child);
    }
    child.observe(request.durationSeconds);
  });
}
