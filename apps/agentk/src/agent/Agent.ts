import { EventEmitter } from 'node:events';
import { type ChannelCredentials, Metadata, type StatusObject, status } from '@grpc/grpc-js';
import { formatDuration } from '@kas/core';
import { cleanGrpcDetails, createReverseTunnelMethod, type ReverseTunnelMethod } from '@kas/tunnel-protocol';
import type { Logger } from 'pino';
import type { KubeApiUpstream } from '../upstream/KubeApiUpstream.js';
import type { ExchangeOutcome } from '../upstream/UpstreamExchange.js';
import { AgentTunnel, type TunnelHost } from './AgentTunnel.js';
import { BACKOFF_DEFAULTS, Backoff, type BackoffOptions } from './Backoff.js';
import { KasConnection } from './KasConnection.js';
import { TurnQueue } from './TurnQueue.js';
import { timestamps } from './timestamps.js';

/** Shared by every agent of the process, so their connection setups take turns with reading. */
const REPLACEMENTS = new TurnQueue<Agent>();

/** How long kas may take to register a tunnel by default: a kas that takes longer is as good as down. */
export const REGISTER_TIMEOUT_MS = 10_000;

/** One agent: its identity, where kas is, what it serves, and how many tunnels it keeps. */
export interface AgentOptions {
  /** A label for logs (e.g. the token file's name); kas knows the agent by its token alone. */
  readonly name: string;
  readonly token: string;
  /** `host:port` of kas; with several, the agent moves to the next when one sends GOAWAY or fails. */
  readonly kasAddresses: readonly string[];
  readonly kasCredentials: ChannelCredentials;
  readonly upstream: KubeApiUpstream;
  /** Idle tunnels kept open. */
  readonly minIdleTunnels: number;
  /** Tunnels at most, idle and busy. */
  readonly maxTunnels: number;
  readonly backoff?: BackoffOptions;
  /**
   * How long kas may take to register a new tunnel (send its response metadata); then the tunnel is
   * cancelled and counts as failed (backoff, next address). Default `REGISTER_TIMEOUT_MS`.
   */
  readonly registerTimeoutMs?: number;
  /** Default 4 MiB, as kas's. */
  readonly maxMessageBytes?: number;
  readonly log: Logger;
}

/** What an agent reports as it happens (the same moments as its log events). */
export interface AgentEvents {
  /** The connection to `kasAddress` left READY: kas sent GOAWAY (or the connection dropped). */
  goaway: [{ readonly kasAddress: string; readonly monotonicMs: number }];
  /** `tunnels` tunnels to `kasAddress` are registered, on a fresh connection. */
  tunnelsReady: [{ readonly kasAddress: string; readonly tunnels: number; readonly monotonicMs: number }];
}

type AgentState = 'idle' | 'running' | 'stopping' | 'stopped';

/**
 * An agent: keeps at least `minIdleTunnels` idle tunnels to kas (more while requests keep them busy, at
 * most `maxTunnels`), serves each tunnelled request against the Kubernetes API, and reconnects — at once
 * after a clean end, with backoff after errors, over a new connection (or to the next address) after GOAWAY.
 */
export class Agent extends EventEmitter<AgentEvents> implements TunnelHost {
  readonly #log: Logger;
  readonly #method: ReverseTunnelMethod;
  readonly #metadata = new Metadata();
  /** By address index; a lost connection's slot is emptied, and the next tunnels make a new one. */
  readonly #connections: (KasConnection | undefined)[] = [];
  readonly #tunnels = new Set<AgentTunnel>();
  readonly #lostConnections = new WeakSet<KasConnection>();
  readonly #backoff: Backoff;
  #current = 0;
  #state: AgentState = 'idle';
  #retryTimer: NodeJS.Timeout | undefined;
  #openedCount = 0;
  /** The generation of the current connection whose readiness was already reported. */
  #reportedReady: { connection: KasConnection; generation: number } | undefined;
  #stopped: (() => void) | undefined;

  constructor(private readonly options: AgentOptions) {
    super();
    this.#log = options.log.child({ agent: options.name });
    this.#method = createReverseTunnelMethod(options.maxMessageBytes ?? 4 * 1024 * 1024);
    this.#metadata.set('authorization', `Bearer ${options.token}`);
    this.#backoff = new Backoff(options.backoff);
  }

  /** Tunnels by state, how many were opened since the start, and the address new tunnels go to. */
  stats(): {
    readonly kasAddress: string;
    readonly opening: number;
    readonly idle: number;
    readonly busy: number;
    readonly opened: number;
  } {
    const count = { opening: 0, idle: 0, busy: 0 };
    for (const tunnel of this.#tunnels) if (tunnel.state !== 'closed') count[tunnel.state] += 1;
    return { kasAddress: this.#connection().address, ...count, opened: this.#openedCount };
  }

  /** Starts opening tunnels; resolves at once (kas may not be up yet: the agent keeps trying). */
  start(): void {
    this.#state = 'running';
    this.#ensureTunnels();
  }

  /** Opens no more tunnels, closes idle ones, lets busy ones finish; at `signal`, cancels the rest. */
  async stop(signal: AbortSignal): Promise<void> {
    this.#state = 'stopping';
    clearTimeout(this.#retryTimer);
    REPLACEMENTS.delete(this);
    for (const tunnel of this.#tunnels) tunnel.endIfIdle();
    const cut = () => {
      for (const tunnel of this.#tunnels) tunnel.cancel();
    };
    if (signal.aborted) cut();
    signal.addEventListener('abort', cut, { once: true });
    if (this.#tunnels.size > 0) await new Promise<void>((resolve) => (this.#stopped = resolve));
    signal.removeEventListener('abort', cut);
    for (const connection of this.#connections) connection?.close();
    this.#state = 'stopped';
  }

  onLive(tunnel: AgentTunnel): void {
    this.#backoff.reset();
    const connection = this.#connection();
    if (tunnel.connection !== connection || tunnel.generation !== connection.generation) return;
    const reported = this.#reportedReady;
    if (reported?.connection === connection && reported.generation === connection.generation) return;
    let live = 0;
    for (const other of this.#tunnels) {
      const isCurrent = other.connection === connection && other.generation === connection.generation;
      if (isCurrent && (other.state === 'idle' || other.state === 'busy')) live += 1;
    }
    if (live < this.options.minIdleTunnels) return;
    this.#reportedReady = { connection, generation: connection.generation };
    const at = timestamps();
    this.#log.info(
      { event: 'tunnels.ready', kasAddress: connection.address, tunnels: live, ...at },
      `${live} tunnel(s) live to kas at ${connection.address}`,
    );
    this.emit('tunnelsReady', { kasAddress: connection.address, tunnels: live, monotonicMs: at.monotonicMs });
  }

  onBusy(): void {
    this.#ensureTunnels();
  }

  onIdleAgain(tunnel: AgentTunnel): void {
    // Running, an idle tunnel counts as spare again, so fewer new ones are opened; stopping, it closes.
    if (this.#state === 'stopping') tunnel.endIfIdle();
  }

  onExchangeDone(tunnel: AgentTunnel, outcome: ExchangeOutcome): void {
    if (outcome.kind === 'failed') {
      this.#log.warn(
        { event: 'request.failed', kasAddress: tunnel.connection.address, code: outcome.code },
        // A refused head's message says what was wrong with it; the others say what the upstream did.
        outcome.code === 'REQUEST_INVALID' ? outcome.message : `upstream request failed: ${outcome.message}`,
      );
    }
  }

  onProtocolError(tunnel: AgentTunnel, code: string, message: string): void {
    this.#log.error(
      { event: 'tunnel.protocolError', kasAddress: tunnel.connection.address, code },
      `kas broke the tunnel protocol: ${message}`,
    );
  }

  onLost(tunnel: AgentTunnel, message: string): void {
    const lost = tunnel.connection;
    if (this.#lostConnections.has(lost)) return; // its other tunnels noticed too
    this.#lostConnections.add(lost);
    const index = this.#connections.indexOf(lost);
    let tunnels = 0;
    for (const other of this.#tunnels) if (other.connection === lost) tunnels += 1;
    this.#log.warn(
      { event: 'kas.lost', kasAddress: lost.address, tunnels },
      `${message}; closing that connection and its ${tunnels} tunnel(s)`,
    );
    // The next tunnels go to the next address, over a new connection: this one's TCP may be dead without
    // either end knowing.
    if (this.#state === 'running' && this.options.kasAddresses.length > 1) this.#switchFrom(lost);
    if (index >= 0) this.#connections[index] = undefined;
    for (const other of [...this.#tunnels]) if (other.connection === lost) other.cancel();
    lost.close();
  }

  onClosed(tunnel: AgentTunnel, ending: StatusObject, wasLive: boolean): void {
    this.#tunnels.delete(tunnel);
    if (this.#state === 'stopping') {
      if (this.#tunnels.size === 0) this.#stopped?.();
      return;
    }
    const isClean = ending.code === status.OK || (wasLive && ending.code === status.CANCELLED);
    if (isClean) {
      this.#ensureTunnelsSoon();
      return;
    }
    // A failure on a connection new tunnels no longer use (draining after GOAWAY) says nothing about
    // the current one; and one failure is enough to start a backoff round.
    if (tunnel.connection !== this.#connection()) {
      this.#ensureTunnelsSoon();
      return;
    }
    if (this.#retryTimer !== undefined) return;
    const failed = tunnel.connection.address;
    if (this.options.kasAddresses.length > 1) this.#switchFrom(tunnel.connection);
    const delayMs = this.#backoff.next();
    const details = cleanGrpcDetails(ending.details);
    this.#log.warn(
      { event: 'tunnel.failed', kasAddress: failed, grpcCode: ending.code, details, retryInMs: delayMs },
      `tunnel to kas at ${failed} failed (${status[ending.code]}: ${details}); retrying in ${formatDuration(delayMs)}`,
    );
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#ensureTunnels();
    }, delayMs);
  }

  #onLeftReady = (connection: KasConnection): void => {
    if (this.#state !== 'running' || connection !== this.#connection()) return;
    let draining = 0;
    for (const tunnel of this.#tunnels) if (tunnel.connection === connection) draining += 1;
    if (draining === 0) return;
    const at = timestamps();
    this.#log.info(
      { event: 'kas.goaway', kasAddress: connection.address, tunnels: draining, ...at },
      `connection to kas at ${connection.address} left READY (GOAWAY or lost); ${draining} tunnel(s) draining`,
    );
    this.emit('goaway', { kasAddress: connection.address, monotonicMs: at.monotonicMs });
    if (this.options.kasAddresses.length > 1) this.#switchFrom(connection);
    this.#ensureTunnelsSoon();
  };

  #switchFrom(connection: KasConnection): void {
    if (connection !== this.#connection()) return;
    this.#current = (this.#current + 1) % this.options.kasAddresses.length;
    // The address only: the connection itself is made when tunnels are next opened (see TurnQueue).
    const to = this.options.kasAddresses[this.#current] as string;
    this.#log.info({ event: 'kas.switched', from: connection.address, to }, `new tunnels go to kas at ${to}`);
  }

  /** Replacements after GOAWAY or a tunnel's end: one agent's per event-loop turn (see TurnQueue). */
  #ensureTunnelsSoon(): void {
    REPLACEMENTS.push(this, () => this.#ensureTunnels());
  }

  #ensureTunnels(): void {
    if (this.#state !== 'running' || this.#retryTimer !== undefined) return;
    const connection = this.#connection();
    let spare = 0;
    for (const tunnel of this.#tunnels) {
      const isCurrent = tunnel.connection === connection && tunnel.generation === connection.generation;
      if (isCurrent && (tunnel.state === 'opening' || tunnel.state === 'idle')) spare += 1;
    }
    while (spare < this.options.minIdleTunnels && this.#tunnels.size < this.options.maxTunnels) {
      this.#tunnels.add(
        new AgentTunnel(
          connection,
          connection.generation,
          this.#method,
          this.#metadata,
          this.options.upstream,
          this,
          this.options.minIdleTunnels,
          this.options.registerTimeoutMs ?? REGISTER_TIMEOUT_MS,
        ),
      );
      spare += 1;
      this.#openedCount += 1;
    }
  }

  #connection(): KasConnection {
    const existing = this.#connections[this.#current];
    if (existing !== undefined) return existing;
    const connection = new KasConnection(
      this.options.kasAddresses[this.#current] as string,
      {
        credentials: this.options.kasCredentials,
        maxMessageBytes: this.options.maxMessageBytes ?? 4 * 1024 * 1024,
        reconnectBackoff: { ...BACKOFF_DEFAULTS, ...this.options.backoff },
      },
      this.#onLeftReady,
    );
    this.#connections[this.#current] = connection;
    return connection;
  }
}
