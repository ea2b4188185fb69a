import type { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';

/** An HTTP request to send through a tunnel. Header names are lower-case; values keep their order. */
export interface TunnelRequest {
  readonly method: string;
  /** The path without the query, e.g. `/api/v1/namespaces/default/pods`. */
  readonly path: string;
  /** The raw query string without `?`, e.g. `watch=1&resourceVersion=10`; empty when there is none. */
  readonly query: string;
  /** Node's `request.headersDistinct` fits as it is; hop-by-hop headers are dropped by the agent. */
  readonly headers: Readonly<Record<string, readonly string[] | undefined>>;
  /**
   * The protocol the client asks to switch to (its `Upgrade` header: `websocket`, `SPDY/3.1`), for an
   * upgraded connection (kubectl exec, attach, cp, port-forward). The request body is then the client's
   * bytes after the switch, and a `101` answer's body the upstream's; see `RequestHead.upgrade`.
   */
  readonly upgrade?: string;
}

/** The agent's answer: the response head, and the body as it streams in. */
export interface TunnelResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, readonly string[]>>;
  /**
   * The body, with backpressure: the agent is asked for more only as this stream is read. Destroying it
   * cancels the request upstream. It errors (rather than ends) when the agent or tunnel fails mid-body.
   */
  readonly body: Readable;
}

/** One idle tunnel, taken from the registry for exactly one request. */
export interface Tunnel {
  readonly agentId: string;
  /**
   * Sends the request (and its body, streamed with backpressure) and resolves with the response head.
   * Aborting `signal` cancels the request on the agent. Call it once per `acquire`: the tunnel goes back
   * to the registry after the exchange, and this handle refuses a second request (`KAS_TUNNEL_BUSY`).
   * An upgrade (`request.upgrade`) to an agent whose descriptor does not say it carries upgrades is
   * refused with `KAS_UPGRADE_UNSUPPORTED` before anything is sent, and the tunnel stays idle.
   */
  roundTrip(request: TunnelRequest, body: Readable | undefined, signal: AbortSignal): Promise<TunnelResponse>;
}

/** Events of the local tunnel registry: an agent's first tunnel appeared, or its last one went. */
export interface TunnelRegistryEvents {
  agentConnected: [agentId: string];
  agentDisconnected: [agentId: string];
}

/**
 * The tunnels this replica holds, per agent. The tunnel tracker listens to its events to advertise
 * agents in the shared directory; the kube proxy takes tunnels from it.
 */
export interface TunnelRegistry extends EventEmitter<TunnelRegistryEvents> {
  /** Agents with at least one tunnel (idle or busy) on this replica. */
  connectedAgents(): readonly string[];
  /** True when the agent has at least one tunnel here. */
  hasAgent(agentId: string): boolean;
  /**
   * Takes an idle tunnel of the agent, waiting up to `timeoutMs` for one (default: the module's
   * `acquireTimeoutMs`). Rejects with an error whose `code` is `KAS_TUNNEL_UNAVAILABLE` (none in time),
   * `KAS_REPLICA_STOPPING` (this replica is stopping) or the abort reason of `signal`. The caller must
   * then call `roundTrip` on the tunnel (with an aborted signal if it no longer needs it): a taken
   * tunnel is not handed out again.
   */
  acquire(
    agentId: string,
    options?: { readonly timeoutMs?: number; readonly signal?: AbortSignal },
  ): Promise<Tunnel>;
}
