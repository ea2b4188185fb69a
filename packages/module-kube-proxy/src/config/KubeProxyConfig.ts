import type { Duration } from '@kas/core';
import type { PemSource } from '@kas/tunnel-protocol';

/** A user of the kube proxy: who may reach which agents with the secret of their token. */
export interface KubeProxyUser {
  /** A label for logs (never the token). */
  readonly name: string;
  /**
   * sha256 (hex) of the secret part of the user's token (`user:<agent-id>:<secret>`):
   * `printf %s "$secret" | sha256sum`. kas never stores the secret itself.
   */
  readonly tokenSha256: string;
  /** The agent ids this user may reach. */
  readonly agents: readonly string[];
}

/** Configuration of the `kube-proxy` module. `listen`, `users`, `privateApiSecret` and `tls` (or `plainHttp`) are required. */
export interface KubeProxyConfig {
  /** `host:port` to listen on (`[::1]:8443` for IPv6); port 0 picks a free port. */
  readonly listen: string;
  /** Serve HTTPS with this certificate chain and key. Required unless `plainHttp` is set. */
  readonly tls?: { readonly cert: PemSource; readonly key: PemSource };
  /** Serve plain HTTP instead of HTTPS. kubectl sends no bearer token over plain HTTP: for tests behind a TLS-terminating proxy only. */
  readonly plainHttp?: boolean;
  /** Who may use the proxy, and for which agents. */
  readonly users: readonly KubeProxyUser[];
  /** The shared secret of the private API, sent when forwarding to another replica (the same value as `private-api`'s `secret`). */
  readonly privateApiSecret: string;
  /**
   * Reach other replicas' private APIs over TLS, trusting `ca` (PEM). `serverName`: the name their
   * certificates carry, when replicas are dialled by an address the certificate does not name (a pod IP).
   * Default: plaintext. Give it exactly when every replica's `private-api` serves TLS.
   */
  readonly privateApiTls?: { readonly ca: PemSource; readonly serverName?: string };
  /** How long a request waits for a tunnel of its agent (here, on another replica, or after it reconnects). Default `'5s'`. */
  readonly tunnelWait?: Duration;
  /** While waiting, how often the tunnel directory is asked for the agent (one query per agent, shared by its waiting requests); also how long an answer naming replicas is reused. Default `'250ms'`. */
  readonly directoryPollInterval?: Duration;
  /** After the stop began, how long new connections are still accepted. Default `'5s'`. */
  readonly listenGrace?: Duration;
  /** How long in-flight requests (watches too) may continue after the stop began before they are cut. Default `'1h'`. */
  readonly drainBudget?: Duration;
  /** How many upgraded connections (exec, attach, port-forward) one agent may have open through this replica. Default `100`. */
  readonly maxUpgradesPerAgent?: number;
  /** How many upgraded connections one user may have open through this replica. Default `20`. */
  readonly maxUpgradesPerUser?: number;
  /** An upgraded connection with no byte either way for this long is ended (the client is told why); `0`: never. Default `'4h'` (the kubelet's streaming idle timeout). */
  readonly upgradeIdleTimeout?: Duration;
}

/** The configuration with every default filled in and every duration in milliseconds. */
export interface ResolvedKubeProxyConfig {
  readonly host: string;
  readonly port: number;
  readonly tls: { readonly cert: PemSource; readonly key: PemSource } | undefined;
  readonly users: readonly KubeProxyUser[];
  readonly privateApiSecret: string;
  readonly privateApiTls: { readonly ca: PemSource; readonly serverName?: string } | undefined;
  readonly tunnelWaitMs: number;
  readonly directoryPollIntervalMs: number;
  readonly listenGraceMs: number;
  readonly drainBudgetMs: number;
  readonly maxUpgradesPerAgent: number;
  readonly maxUpgradesPerUser: number;
  readonly upgradeIdleTimeoutMs: number;
}

/** Defaults of `KubeProxyConfig`. */
export const KUBE_PROXY_DEFAULTS = {
  tunnelWait: '5s',
  directoryPollInterval: '250ms',
  listenGrace: '5s',
  drainBudget: '1h',
  maxUpgradesPerAgent: 100,
  maxUpgradesPerUser: 20,
  upgradeIdleTimeout: '4h',
} as const satisfies Partial<KubeProxyConfig>;
