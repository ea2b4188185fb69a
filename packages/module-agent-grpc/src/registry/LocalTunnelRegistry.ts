import { EventEmitter } from 'node:events';
import { formatDuration } from '@kas/core';
import type { Tunnel, TunnelRegistry, TunnelRegistryEvents } from '@kas/tunnel-protocol';
import { AgentGrpcError } from '../errors/AgentGrpcError.js';

/** What the registry needs of a tunnel: who it belongs to, and a way to take it for one request. */
export interface RegisteredTunnel {
  readonly agentId: string;
  /** Idle tunnels the agent says it keeps (its descriptor); 0 when it did not say. */
  readonly idleTunnelsKept: number;
  /** Takes an idle tunnel for one request: a lease good for one `roundTrip`; undefined when it is not idle. */
  reserve(): Tunnel | undefined;
  /** Ends the tunnel if it carries no request; false when it does. */
  endIfIdle(): boolean;
}

interface IdleTunnel {
  readonly tunnel: RegisteredTunnel;
  /** `performance.now()` when it became idle. */
  readonly since: number;
}

interface Waiter {
  readonly resolve: (tunnel: Tunnel) => void;
  readonly reject: (error: unknown) => void;
}

interface AgentTunnels {
  /** Registered tunnels, idle or not. */
  count: number;
  /**
   * Idle tunnels, longest idle first. The most recently idle is handed out first, so that when fewer
   * requests come the same few tunnels carry them and the rest stay idle long enough to be trimmed.
   */
  readonly idle: IdleTunnel[];
  /** Acquires waiting for an idle tunnel, oldest first. */
  readonly waiters: Waiter[];
}

/**
 * The tunnels this replica holds, per agent: hands idle tunnels to `acquire` (or makes it wait a bounded
 * time), and emits `agentConnected` / `agentDisconnected` when an agent's first tunnel appears and its
 * last one goes. Once stopping, it hands out nothing and fails every waiting acquire.
 */
export class LocalTunnelRegistry extends EventEmitter<TunnelRegistryEvents> implements TunnelRegistry {
  readonly #agents = new Map<string, AgentTunnels>();
  /** The tunnels `add` registered and `remove` has not forgotten yet. */
  readonly #registered = new WeakSet<RegisteredTunnel>();
  #isStopping = false;

  constructor(
    private readonly maxTunnelsPerAgent: number,
    private readonly defaultAcquireTimeoutMs: number,
  ) {
    super();
  }

  connectedAgents(): readonly string[] {
    return [...this.#agents].flatMap(([agentId, entry]) => (entry.count > 0 ? [agentId] : []));
  }

  /** Tunnels waiting for a request right now, over all agents. */
  idleTunnelCount(): number {
    let idle = 0;
    for (const entry of this.#agents.values()) idle += entry.idle.length;
    return idle;
  }

  hasAgent(agentId: string): boolean {
    return (this.#agents.get(agentId)?.count ?? 0) > 0;
  }

  acquire(agentId: string, options: { readonly timeoutMs?: number; readonly signal?: AbortSignal } = {}) {
    if (this.#isStopping) return Promise.reject(stoppingError(agentId));
    if (options.signal?.aborted) return Promise.reject(options.signal.reason);
    const entry = this.#agents.get(agentId);
    if (entry !== undefined) {
      while (entry.idle.length > 0) {
        const lease = (entry.idle.pop() as IdleTunnel).tunnel.reserve();
        if (lease !== undefined) return Promise.resolve(lease);
      }
    }
    const timeoutMs = options.timeoutMs ?? this.defaultAcquireTimeoutMs;
    return new Promise<Tunnel>((resolve, reject) => {
      const waiting = this.#entry(agentId);
      const settle = () => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        const index = waiting.waiters.indexOf(waiter);
        if (index >= 0) waiting.waiters.splice(index, 1);
        this.#forgetIfEmpty(agentId, waiting);
      };
      const waiter: Waiter = {
        resolve: (tunnel) => {
          settle();
          resolve(tunnel);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      };
      const onAbort = () => waiter.reject(options.signal?.reason);
      const timer = setTimeout(
        () =>
          waiter.reject(
            new AgentGrpcError(
              'KAS_TUNNEL_UNAVAILABLE',
              `agent "${agentId}" had no idle tunnel on this replica within ${formatDuration(timeoutMs)}`,
              'check that the agent is running and connected (its log says where), or wait longer',
            ),
          ),
        timeoutMs,
      );
      options.signal?.addEventListener('abort', onAbort, { once: true });
      waiting.waiters.push(waiter);
    });
  }

  /**
   * Registers a tunnel whose descriptor arrived and offers it as idle. Returns false, and registers
   * nothing, when the agent is at its tunnel limit or the registry is stopping.
   */
  add(tunnel: RegisteredTunnel): boolean {
    if (this.#isStopping) return false;
    const entry = this.#entry(tunnel.agentId);
    if (entry.count >= this.maxTunnelsPerAgent) {
      this.#forgetIfEmpty(tunnel.agentId, entry);
      return false;
    }
    this.#registered.add(tunnel);
    entry.count += 1;
    if (entry.count === 1) this.emit('agentConnected', tunnel.agentId);
    this.#offer(entry, tunnel);
    return true;
  }

  /** Offers a registered tunnel that is idle again; false (offered nowhere) when stopping. */
  release(tunnel: RegisteredTunnel): boolean {
    const entry = this.#agents.get(tunnel.agentId);
    if (this.#isStopping || entry === undefined) return false;
    this.#offer(entry, tunnel);
    return true;
  }

  /** Forgets a registered tunnel that closed (idle or not); a tunnel it never registered changes nothing. */
  remove(tunnel: RegisteredTunnel): void {
    // A tunnel refused at the limit (or while stopping) has its descriptor too, and closes like any other.
    if (!this.#registered.delete(tunnel)) return;
    const entry = this.#agents.get(tunnel.agentId);
    if (entry === undefined) return;
    const index = entry.idle.findIndex((idle) => idle.tunnel === tunnel);
    if (index >= 0) entry.idle.splice(index, 1);
    entry.count -= 1;
    if (entry.count === 0) this.emit('agentDisconnected', tunnel.agentId);
    this.#forgetIfEmpty(tunnel.agentId, entry);
  }

  /**
   * Takes out, and returns for the caller to end, the idle tunnels of each agent beyond the number it
   * keeps that have been idle for `idleTimeoutMs` or longer at `now` (longest idle first). Agents that
   * did not say how many they keep lose none.
   */
  takeExcessIdle(now: number, idleTimeoutMs: number): RegisteredTunnel[] {
    const excess: RegisteredTunnel[] = [];
    for (const entry of this.#agents.values()) {
      const kept = entry.idle.at(-1)?.tunnel.idleTunnelsKept ?? 0;
      if (kept === 0) continue;
      let taken = 0;
      while (
        taken < entry.idle.length - kept &&
        (entry.idle[taken] as IdleTunnel).since <= now - idleTimeoutMs
      ) {
        taken += 1;
      }
      for (const idle of entry.idle.splice(0, taken)) excess.push(idle.tunnel);
    }
    return excess;
  }

  /** From now on hands out nothing: every waiting and future acquire fails with `KAS_REPLICA_STOPPING`. */
  beginStopping(): void {
    this.#isStopping = true;
    for (const [agentId, entry] of this.#agents) {
      for (const waiter of [...entry.waiters]) waiter.reject(stoppingError(agentId));
    }
  }

  #offer(entry: AgentTunnels, tunnel: RegisteredTunnel): void {
    const waiter = entry.waiters[0];
    const lease = waiter === undefined ? undefined : tunnel.reserve();
    if (lease === undefined) entry.idle.push({ tunnel, since: performance.now() });
    else waiter?.resolve(lease);
  }

  #entry(agentId: string): AgentTunnels {
    let entry = this.#agents.get(agentId);
    if (entry === undefined) {
      entry = { count: 0, idle: [], waiters: [] };
      this.#agents.set(agentId, entry);
    }
    return entry;
  }

  #forgetIfEmpty(agentId: string, entry: AgentTunnels): void {
    if (entry.count === 0 && entry.waiters.length === 0 && this.#agents.get(agentId) === entry) {
      this.#agents.delete(agentId);
    }
  }
}

function stoppingError(agentId: string): AgentGrpcError {
  return new AgentGrpcError(
    'KAS_REPLICA_STOPPING',
    `this kas replica is shutting down and hands out no tunnels (agent "${agentId}" is reconnecting elsewhere)`,
    'retry on another replica: the tunnel directory names the replica the agent moved to',
  );
}
