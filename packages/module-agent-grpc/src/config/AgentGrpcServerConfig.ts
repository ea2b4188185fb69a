import type { Duration } from '@kas/core';
import type { PemSource } from '@kas/tunnel-protocol';
import type { AgentCredential } from '../server/AgentAuthenticator.js';

/** Configuration of the `agent-grpc-server` module. Only `listen` and `agents` are required. */
export interface AgentGrpcServerConfig {
  /** `host:port` to listen on (`[::1]:8150` for IPv6); port 0 picks a free port. */
  readonly listen: string;
  /** The agents this replica accepts. */
  readonly agents: readonly AgentCredential[];
  /** Serve TLS with this certificate chain and key. Default: plaintext. */
  readonly tls?: { readonly cert: PemSource; readonly key: PemSource };
  /** Ping each agent connection every `timeMs` and drop it when a ping is not answered in `timeoutMs`. */
  readonly keepalive?: { readonly timeMs?: number; readonly timeoutMs?: number };
  /** The largest message accepted or sent, in bytes. Default 4 MiB; at least 128 KiB. */
  readonly maxMessageBytes?: number;
  /** Registered tunnels one agent may hold on this replica. Default 500. */
  readonly maxTunnelsPerAgent?: number;
  /** How long `acquire` waits for an idle tunnel unless told otherwise. Default 10 s. */
  readonly acquireTimeoutMs?: number;
  /**
   * An agent's idle tunnels beyond the number its descriptor says it keeps are ended (status OK) once
   * they have been idle this long, so a pool grown for a burst shrinks again. Default 60 s; 0 ends none.
   */
  readonly idleTunnelTimeoutMs?: number;
  /** How long busy tunnels may finish after GOAWAY before they are cut. Default `'1h'`. */
  readonly drainBudget?: Duration;
}

/** The configuration with every default filled in. */
export interface ResolvedAgentGrpcServerConfig {
  readonly host: string;
  readonly port: number;
  readonly agents: readonly AgentCredential[];
  readonly tls: { readonly cert: PemSource; readonly key: PemSource } | undefined;
  readonly keepalive: { readonly timeMs: number; readonly timeoutMs: number };
  readonly maxMessageBytes: number;
  readonly maxTunnelsPerAgent: number;
  readonly acquireTimeoutMs: number;
  readonly idleTunnelTimeoutMs: number;
  readonly drainBudget: Duration;
}

/** Defaults of `AgentGrpcServerConfig`. */
export const AGENT_GRPC_SERVER_DEFAULTS = {
  keepalive: { timeMs: 30_000, timeoutMs: 10_000 },
  maxMessageBytes: 4 * 1024 * 1024,
  maxTunnelsPerAgent: 500,
  acquireTimeoutMs: 10_000,
  idleTunnelTimeoutMs: 60_000,
  drainBudget: '1h',
} as const satisfies Partial<ResolvedAgentGrpcServerConfig>;

/** The smallest `maxMessageBytes`: a 64 KiB body frame plus a generous head must fit. */
export const MIN_MAX_MESSAGE_BYTES = 128 * 1024;
