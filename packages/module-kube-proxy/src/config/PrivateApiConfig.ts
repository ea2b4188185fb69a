import type { Duration } from '@kas/core';
import type { PemSource } from '@kas/tunnel-protocol';

/** Configuration of the `private-api` module. `replicaId`, `listen` and `secret` are required. */
export interface PrivateApiConfig {
  /** This replica's id, unique among the replicas sharing one tunnel directory (e.g. the pod name). */
  readonly replicaId: string;
  /** `host:port` to listen on (`[::1]:8155` for IPv6); port 0 picks a free port. */
  readonly listen: string;
  /**
   * Where other replicas reach this listener, e.g. `10.0.3.7:8155` (the pod IP). Default: the bound
   * address, which must then not be a wildcard such as `0.0.0.0`.
   */
  readonly advertiseAddress?: string;
  /** The shared secret every replica's private API and kube proxy use (at least 16 characters). Never logged. */
  readonly secret: string;
  /**
   * Serve TLS with this certificate chain and key. Every replica's kube proxy then needs `privateApiTls`
   * with the CA that signed it. Default: plaintext, for a pod network that is already private.
   */
  readonly tls?: { readonly cert: PemSource; readonly key: PemSource };
  /** The longest a forwarded request waits here for an idle tunnel (the caller asks for its remaining tunnel wait). Default `'10s'`. */
  readonly maxTunnelWait?: Duration;
  /** How long forwarded requests in flight at stop may continue before they are cut. Default `'1h'`. */
  readonly drainBudget?: Duration;
}

/** The configuration with every default filled in and every duration in milliseconds. */
export interface ResolvedPrivateApiConfig {
  readonly replicaId: string;
  readonly host: string;
  readonly port: number;
  readonly advertiseAddress: string | undefined;
  readonly secret: string;
  readonly tls: { readonly cert: PemSource; readonly key: PemSource } | undefined;
  readonly maxTunnelWaitMs: number;
  readonly drainBudgetMs: number;
}

/** Defaults of `PrivateApiConfig`. */
export const PRIVATE_API_DEFAULTS = {
  maxTunnelWait: '10s',
  drainBudget: '1h',
} as const satisfies Partial<PrivateApiConfig>;
