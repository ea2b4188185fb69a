import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { DemoError } from '../errors/DemoError.js';

/** A backend of the load balancer: where to connect, and the readiness probe that decides whether to. */
export interface LoadBalancerBackend {
  readonly id: string;
  readonly port: number;
  readonly readinessUrl: string;
}

/** What the load balancer has done, per backend and in all. */
export interface LoadBalancerStats {
  /** Backends whose last probe answered 200. */
  readonly ready: readonly string[];
  /** Connections handed to each backend so far. */
  readonly connections: Readonly<Record<string, number>>;
  /** Connections open now, per backend. */
  readonly open: Readonly<Record<string, number>>;
  /** Client connections closed at once because no backend was ready. */
  readonly noBackend: number;
  /** Connections to a backend that failed (refused, reset before the client closed). */
  readonly backendErrors: number;
}

/** Options of `startLoadBalancer`. */
export interface LoadBalancerOptions {
  /** How often each backend's readiness is probed. Default 100 ms. */
  readonly probeIntervalMs?: number;
  /** How long a probe may take before it counts as not ready. Default 1 s. */
  readonly probeTimeoutMs?: number;
}

/** A running load balancer. */
export interface LoadBalancer {
  readonly port: number;
  /** `https://127.0.0.1:<port>`: TLS passes through to the kube proxies. */
  readonly url: string;
  stats(): LoadBalancerStats;
  /** Resolves once the backend's probe answered 200 (or rejects after `timeoutMs`). */
  waitUntilReady(backendId: string, timeoutMs?: number): Promise<void>;
  /** Stops probing, stops listening and closes every connection. */
  close(): Promise<void>;
}

/**
 * A TCP load balancer on 127.0.0.1, as in front of kas replicas in production: each new connection goes
 * round-robin to a backend whose readiness probe last answered 200; connections already open are never
 * touched. A stopping kas answers its probe 503 at once and keeps accepting new connections for its
 * listen grace, which is how long this balancer (probing every `probeIntervalMs`) may take to notice.
 */
export async function startLoadBalancer(
  backends: readonly LoadBalancerBackend[],
  options: LoadBalancerOptions = {},
): Promise<LoadBalancer> {
  const probeIntervalMs = options.probeIntervalMs ?? 100;
  const probeTimeoutMs = options.probeTimeoutMs ?? 1_000;
  const isReady = new Map(backends.map((backend) => [backend.id, false]));
  const connections = Object.fromEntries(backends.map((backend) => [backend.id, 0]));
  const open = Object.fromEntries(backends.map((backend) => [backend.id, 0]));
  const sockets = new Set<Socket>();
  let noBackend = 0;
  let backendErrors = 0;
  let next = 0;
  let isClosed = false;

  const probe = async (backend: LoadBalancerBackend) => {
    while (!isClosed) {
      let ready = false;
      try {
        const response = await fetch(backend.readinessUrl, { signal: AbortSignal.timeout(probeTimeoutMs) });
        await response.arrayBuffer();
        ready = response.status === 200;
      } catch {
        ready = false; // refused (not running) or too slow: not ready
      }
      isReady.set(backend.id, ready);
      await new Promise((resolve) => setTimeout(resolve, probeIntervalMs));
    }
  };
  const probes = backends.map((backend) => probe(backend));

  const pick = (): LoadBalancerBackend | undefined => {
    for (let tried = 0; tried < backends.length; tried += 1) {
      const backend = backends[(next + tried) % backends.length] as LoadBalancerBackend;
      if (isReady.get(backend.id)) {
        next = (next + tried + 1) % backends.length;
        return backend;
      }
    }
    return undefined;
  };

  const server: Server = createServer((client) => {
    const backend = pick();
    if (backend === undefined) {
      noBackend += 1;
      client.destroy();
      return;
    }
    connections[backend.id] = (connections[backend.id] ?? 0) + 1;
    open[backend.id] = (open[backend.id] ?? 0) + 1;
    const upstream = connect({ host: '127.0.0.1', port: backend.port });
    sockets.add(client).add(upstream);
    let isClientGone = false;
    client.on('close', () => {
      isClientGone = true;
      upstream.destroy();
      sockets.delete(client);
    });
    upstream.on('close', () => {
      client.destroy();
      sockets.delete(upstream);
      open[backend.id] = (open[backend.id] ?? 1) - 1;
    });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => {
      if (!isClientGone) backendErrors += 1;
      client.destroy();
    });
    client.pipe(upstream);
    upstream.pipe(client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;

  return {
    port,
    url: `https://127.0.0.1:${port}`,
    stats: () => ({
      ready: backends.filter((backend) => isReady.get(backend.id)).map((backend) => backend.id),
      connections: { ...connections },
      open: { ...open },
      noBackend,
      backendErrors,
    }),
    async waitUntilReady(backendId, timeoutMs = 10_000) {
      const giveUpAt = Date.now() + timeoutMs;
      while (!isReady.get(backendId)) {
        if (Date.now() > giveUpAt || isClosed) {
          throw new DemoError(
            'KAS_DEMO_TIMEOUT',
            `load balancer: replica ${backendId} did not answer its readiness probe with 200 within ${timeoutMs}ms`,
            "read the replica's log: it may have failed to start or be stopping",
          );
        }
        await new Promise((resolve) => setTimeout(resolve, probeIntervalMs / 2));
      }
    },
    async close() {
      isClosed = true;
      const closed = new Promise((resolve) => server.close(resolve));
      for (const socket of sockets) socket.destroy();
      await Promise.all([closed, ...probes]);
    },
  };
}
