import type { AgentGrpcErrorCode } from '../errors/errorCodes.js';

/** Names of the counts the server keeps. */
export type TunnelCounterName =
  /** Tunnels whose descriptor arrived and that were registered. */
  | 'tunnels.registered'
  /** Exchanges that ended cleanly (request sent whole, response ended) and left their tunnel idle again. */
  | 'exchanges.finished'
  /** Tunnels kas ended with status OK (after an exchange, at stop, or when the agent half-closed). */
  | 'tunnels.finished'
  /** Idle tunnels kas ended because the agent kept more idle than it asked for, idle longer than the timeout. */
  | 'tunnels.trimmed'
  /** Tunnels that ended without kas ending them: the agent cancelled or vanished. */
  | 'tunnels.cancelled'
  /** Tunnels grpc-js ended by itself, with a status of its own: a message over its receive limit (RESOURCE_EXHAUSTED). */
  | 'tunnels.endedByGrpc'
  /** Tunnels kas ended because their agent did not answer a heartbeat in time (connection lost). */
  | 'tunnels.lost'
  /** Tunnels kas ended with an error status, by the error code in the status details. */
  | `tunnels.refused.${AgentGrpcErrorCode}`;

/** Counts of what happened to tunnels since the server started. */
export class TunnelCounters {
  readonly #counts = new Map<TunnelCounterName, number>();

  increment(name: TunnelCounterName): void {
    this.#counts.set(name, (this.#counts.get(name) ?? 0) + 1);
  }

  /** A snapshot; counters that never moved are absent. */
  snapshot(): Readonly<Partial<Record<TunnelCounterName, number>>> {
    return Object.fromEntries(this.#counts);
  }
}
