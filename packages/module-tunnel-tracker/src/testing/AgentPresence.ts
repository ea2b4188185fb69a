import { EventEmitter } from 'node:events';
import type { Tunnel, TunnelRegistry, TunnelRegistryEvents } from '@kas/tunnel-protocol';

/**
 * A real `EventEmitter` with the tunnel registry's events and agent list, for tests and benchmarks of
 * the tunnel tracker where no gRPC agents run: `connect(agentId)` is an agent's first tunnel arriving,
 * `disconnect(agentId)` its last one leaving. It holds no tunnels: `acquire` rejects with
 * `KAS_TUNNEL_UNAVAILABLE`, as the real registry does for an agent without an idle tunnel.
 */
export class AgentPresence extends EventEmitter<TunnelRegistryEvents> implements TunnelRegistry {
  readonly #agents = new Set<string>();

  /** Agents may start out connected, as on a replica where agents arrived before the tracker started. */
  constructor(initialAgents: Iterable<string> = []) {
    super();
    for (const agentId of initialAgents) this.#agents.add(agentId);
  }

  /** The agent's first tunnel arrived: emits `agentConnected` unless it was connected already. */
  connect(agentId: string): void {
    if (this.#agents.has(agentId)) return;
    this.#agents.add(agentId);
    this.emit('agentConnected', agentId);
  }

  /** The agent's last tunnel went: emits `agentDisconnected` if it was connected. */
  disconnect(agentId: string): void {
    if (!this.#agents.delete(agentId)) return;
    this.emit('agentDisconnected', agentId);
  }

  connectedAgents(): readonly string[] {
    return [...this.#agents];
  }

  hasAgent(agentId: string): boolean {
    return this.#agents.has(agentId);
  }

  acquire(agentId: string): Promise<Tunnel> {
    return Promise.reject(
      Object.assign(new Error(`agent "${agentId}" has no tunnel here: AgentPresence holds none`), {
        code: 'KAS_TUNNEL_UNAVAILABLE',
      }),
    );
  }
}
