import { once } from 'node:events';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { Server, type ServerCredentials, status } from '@grpc/grpc-js';
import { describeListenFailure, formatHostPort, listenFailureFix, splitHostPort } from '@kas/config';
import {
  cutReasonOf,
  formatDuration,
  type LifecycleContext,
  ListenerConnections,
  peerOf,
  RateLimitedLog,
} from '@kas/core';
import {
  ConnectionPings,
  createReverseTunnelMethod,
  type PingOutcome,
  widenServerFlowControlWindow,
} from '@kas/tunnel-protocol';
import type { Logger } from 'pino';
import type { ResolvedAgentGrpcServerConfig } from '../config/agentGrpcServerConfigSchema.js';
import { AgentGrpcError } from '../errors/AgentGrpcError.js';
import { LocalTunnelRegistry } from '../registry/LocalTunnelRegistry.js';
import { AgentAuthenticator, type AuthenticationFailure } from './AgentAuthenticator.js';
import { drainCutWords } from './drainCutWords.js';
import { loadServerCredentials } from './loadServerCredentials.js';
import { ServerTunnel, type TunnelCall, type TunnelEnding, type TunnelOwner } from './ServerTunnel.js';
import { type TunnelCounterName, TunnelCounters } from './TunnelCounters.js';
import type { StatusSentByGrpc } from './watchStatusSentByGrpc.js';

/** Idle tunnels ended per event-loop turn at stop. */
const IDLE_ENDS_PER_TURN = 50;

/**
 * How long a stop waits, once no tunnel is busy, for agents to close their connections. An agent closes
 * its old connection within milliseconds of its tunnels' ends; one that keeps its streams open after
 * their OK status, or that vanished (a frozen process, a network that drops packets), would otherwise
 * hold the stop until the drain budget (an hour by default) for nothing in flight.
 */
export const LINGERING_CONNECTION_GRACE_MS = 2_000;

/** Streams a connection may open beyond maxTunnelsPerAgent (tunnels being replaced while others end). */
const STREAM_HEADROOM = 20;

/** What the running server tells other modules and tests. */
export interface AgentGrpcServerInfo {
  /** The bound `host:port` (the real port when 0 was configured). Throws before the module started. */
  readonly address: string;
  /** Agent connections that carry at least one tunnel (tunnels of one connection share its peer address). */
  connectionCount(): number;
  /** Tunnels open right now, in any state. */
  tunnelCount(): number;
  /** Tunnels waiting for a request right now (the others are busy carrying one). */
  idleTunnelCount(): number;
  /** What happened to tunnels since start: registered, finished, cancelled, ended by grpc-js, refused by error code. */
  counters(): Readonly<Partial<Record<TunnelCounterName, number>>>;
}

type ServerState = 'idle' | 'starting' | 'serving' | 'stopping' | 'stopped';

/** What to do about each refused authentication: told to the agent, and in kas's log line. */
const AUTHENTICATION_FIXES: Readonly<Record<AuthenticationFailure, { agent: string; kas: string }>> = {
  'missing token': {
    agent: 'send "authorization: Bearer <agent token>"',
    kas: 'give the agent its token (agentk --token-file)',
  },
  'malformed authorization': {
    agent: 'send "authorization: Bearer <agent token>", the scheme Bearer and the token after one space',
    kas: 'the agent sent an authorization header that is not "Bearer <token>": check its token file',
  },
  'unknown token': {
    agent:
      "the token's sha256 matches no agent in kas's agentsFile: check that the agent's token file holds the token whose sha256 is listed there",
    kas: "add { id, tokenSha256 } for this agent's token to agentGrpc.agentsFile (tokenSha256 is the sha256 of the token), or give the agent a token listed there",
  },
};

/**
 * The agent-facing grpc-js server: authenticates each `Connect` call, turns it into a tunnel in the local
 * registry, and stops in the order the agent edge needs (GOAWAY, idle tunnels ended at once, busy ones
 * finish, the rest cut when the stop signal fires: at the drain budget, a second stop signal or the deadline).
 */
export class AgentGrpcServer implements AgentGrpcServerInfo, TunnelOwner {
  readonly registry: LocalTunnelRegistry;
  readonly #counters = new TunnelCounters();
  readonly #tunnels = new Set<ServerTunnel>();
  /** Tunnels per peer address (one agent connection): counted as they come and go, not per count asked. */
  readonly #tunnelsByPeer = new Map<string, number>();
  /** Connections (by peer) that have carried a tunnel: the handshake timeout spares them. */
  readonly #tunnelledPeers = new Set<string>();
  /** Each tunnel's mark on its connection: a connection with no tunnel does not hold the stop. */
  readonly #connectionMarks = new Map<ServerTunnel, () => void>();
  /** While stopping: tells the stop's progress as tunnels end. */
  #onTunnelClosed: (() => void) | undefined;
  readonly #authenticator: AgentAuthenticator;
  /** Asks a connection whose busy tunnel went silent whether the agent is still there. */
  readonly #pings: ConnectionPings;
  /** Refused calls, logged without flooding (a few each interval, then a summary by reason). */
  readonly #refusals: RateLimitedLog;
  #state: ServerState = 'idle';
  #server: Server | undefined;
  /** The TCP listener: kas owns the sockets (grpc-js gets them injected), so a stop can end idle ones. */
  #listener: NetServer | undefined;
  #connections: ListenerConnections | undefined;
  #address: string | undefined;
  #trimTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: ResolvedAgentGrpcServerConfig,
    private readonly log: Logger,
  ) {
    this.#authenticator = new AgentAuthenticator(config.agents);
    this.#pings = new ConnectionPings(config.keepalive.timeout);
    this.#refusals = new RateLimitedLog(log, {
      level: 'warn',
      summaryEvent: 'tunnel.refusedSummary',
      what: 'refused calls',
    });
    this.registry = new LocalTunnelRegistry(config.maxTunnelsPerAgent, config.acquireTimeout);
    this.registry.on('agentConnected', (agentId) =>
      log.info({ event: 'agent.connected', agentId }, 'agent connected'),
    );
    // At stop every agent leaves at once: one summary line (goaway.sent) instead of a line per agent,
    // which would hold the event loop while the agent edge should be reacting.
    this.registry.on('agentDisconnected', (agentId) => {
      if (this.#state === 'stopping')
        log.debug({ event: 'agent.disconnected', agentId }, 'agent has no tunnels left here');
      else log.info({ event: 'agent.disconnected', agentId }, 'agent has no tunnels left here');
    });
  }

  get address(): string {
    if (this.#address === undefined) {
      throw new AgentGrpcError(
        'KAS_INVALID_CONFIG',
        `the agent gRPC server has no address yet (it is ${this.#state})`,
        'read the address after the app has started',
      );
    }
    return this.#address;
  }

  connectionCount(): number {
    return this.#tunnelsByPeer.size;
  }

  tunnelCount(): number {
    return this.#tunnels.size;
  }

  idleTunnelCount(): number {
    return this.registry.idleTunnelCount();
  }

  counters() {
    return this.#counters.snapshot();
  }

  async start(): Promise<void> {
    this.#state = 'starting';
    const credentials = await loadServerCredentials(this.config.tls);
    const server = new Server({
      'grpc.max_send_message_length': this.config.maxMessageBytes,
      // Twice the limit: what lies between is refused by the tunnel with a clear, logged status; what
      // lies beyond never reaches memory whole (grpc-js itself answers RESOURCE_EXHAUSTED).
      'grpc.max_receive_message_length': this.config.maxMessageBytes * 2,
      // No HTTP/2 keepalive pings: once a connection has GOAWAY, Node cancels them and grpc-js drops every
      // call on it, busy tunnels included. Tunnels carry heartbeats instead (keepalive.time / timeout).
      'grpc.enable_channelz': 0,
      // An agent keeps at most maxTunnelsPerAgent tunnels on its connection; streams beyond are refused by
      // HTTP/2 itself, so one connection cannot hold thousands of calls that never register.
      'grpc.max_concurrent_streams': this.config.maxTunnelsPerAgent + STREAM_HEADROOM,
    });
    server.addService(
      { connect: createReverseTunnelMethod(this.config.maxMessageBytes) },
      { connect: (call: TunnelCall) => this.#accept(call) },
    );
    const port = await this.#listen(server, credentials);
    this.#server = server;
    this.#address = formatHostPort(splitHostPort(this.config.listen).host, port);
    this.#state = 'serving';
    this.#startTrimming();
    this.log.info(
      { event: 'grpc.listening', address: this.#address, tls: this.config.tls !== undefined },
      `agent gRPC server listening on ${this.#address}`,
    );
  }

  /**
   * GOAWAY to every connection and no new ones; waiting acquires fail; idle tunnels end at once so
   * agents reconnect elsewhere; busy tunnels finish; at `ctx.signal` everything left is cut, in words
   * that say what cut it (the drain budget, a second stop signal, the shutdown deadline).
   */
  async stop(ctx: LifecycleContext): Promise<void> {
    const server = this.#server;
    this.#state = 'stopping';
    clearInterval(this.#trimTimer);
    this.#refusals.flush();
    this.registry.beginStopping();
    if (server === undefined) {
      this.#state = 'stopped';
      return;
    }
    const connections = this.connectionCount();
    const drained = new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    this.#listener?.close();
    ctx.mark('goaway.sent', { connections });
    // Node writes the GOAWAY frames from a setImmediate queued by tryShutdown: let them leave, and let the
    // other modules of this stop stage (the tracker's withdraw) begin, before ending every idle tunnel.
    await new Promise((resolve) => setImmediate(resolve));
    // Connections with no tunnel at all (a load balancer's TCP check, a TLS handshake that never ends, an
    // HTTP/2 session that never opened a call) are not agents to wait for: GOAWAY does not reach them.
    // Before idle tunnels end: a connection whose tunnels end with OK closes once those statuses left.
    const quietClosed = this.#connections?.closeIdle() ?? 0;
    let idleEnded = 0;
    let cutCount = 0;
    const publishProgress = () =>
      ctx.progress({
        state: this.#state,
        connections: this.connectionCount(),
        busyTunnels: this.#tunnels.size,
        idleEnded,
        ...(cutCount > 0 ? { cut: cutCount } : {}),
      });
    this.#onTunnelClosed = publishProgress;
    publishProgress();
    const tunnels = [...this.#tunnels];
    for (let i = 0; i < tunnels.length; i += IDLE_ENDS_PER_TURN) {
      // In turns: ending a tunnel writes its trailers (about 0.1 ms each), and a thousand of them in one
      // go would hold back every other reply this process is waiting for (the tracker's withdraw).
      if (i > 0) await new Promise((resolve) => setImmediate(resolve));
      for (const tunnel of tunnels.slice(i, i + IDLE_ENDS_PER_TURN)) if (tunnel.endIfIdle()) idleEnded += 1;
    }
    publishProgress();
    this.log.info(
      { event: 'goaway.sent', connections, idleEnded, busy: this.#tunnels.size, quietClosed },
      `GOAWAY sent to ${connections} agent connection(s); ${idleEnded} idle tunnel(s) ended, ${this.#tunnels.size} busy; ${quietClosed} connection(s) without tunnels closed`,
    );
    const cut = new Promise<'cut'>((resolve) => {
      if (ctx.signal.aborted) resolve('cut');
      ctx.signal.addEventListener('abort', () => resolve('cut'), { once: true });
    });
    let graceTimer: NodeJS.Timeout | undefined;
    const lingering = new Promise<'lingering'>((resolve) => {
      const startGraceWhenNoneBusy = () => {
        if (this.#tunnels.size > 0 || graceTimer !== undefined) return;
        graceTimer = setTimeout(() => resolve('lingering'), LINGERING_CONNECTION_GRACE_MS);
      };
      this.#onTunnelClosed = () => {
        publishProgress();
        startGraceWhenNoneBusy();
      };
      startGraceWhenNoneBusy();
    });
    const outcome = await Promise.race([drained.then(() => 'drained' as const), cut, lingering]);
    clearTimeout(graceTimer);
    if (outcome === 'lingering') {
      // Nothing is in flight on them: closing them loses nothing.
      const closed = this.#connections?.destroyAll() ?? 0;
      server.forceShutdown();
      ctx.mark('connections.lingering', { closed });
      this.log.warn(
        { event: 'connections.lingering', closed, graceMs: LINGERING_CONNECTION_GRACE_MS },
        `closed ${closed} agent connection(s) still open ${formatDuration(LINGERING_CONNECTION_GRACE_MS)} after their last tunnel ended: an agent that keeps its streams open after GOAWAY, or one that vanished`,
      );
    } else if (outcome === 'cut') {
      // A second signal can come while no tunnel is busy (the sessions are still closing): nothing to cut.
      if (this.#tunnels.size > 0) {
        const reason = cutReasonOf(ctx.signal);
        const words = drainCutWords(reason, this.config.drainBudget);
        this.log.warn(
          { event: 'tunnels.cut', busy: this.#tunnels.size, reason },
          `cutting ${this.#tunnels.size} tunnel(s) still busy ${words.inLog}`,
        );
        // grpc-js's forceShutdown finds open sessions only with channelz on (off here: it costs on every
        // call), so the tunnels are cut one by one as well.
        cutCount = this.#tunnels.size;
        for (const tunnel of [...this.#tunnels]) tunnel.cut(words.toEnds);
      }
      server.forceShutdown(); // the cut tunnels' statuses still leave: each session closes after its last call
    }
    this.#state = 'stopped';
    this.#refusals.flush();
    this.#onTunnelClosed = undefined;
    publishProgress();
  }

  #startTrimming(): void {
    const timeoutMs = this.config.idleTunnelTimeout;
    if (timeoutMs === 0) return;
    // A tunnel is ended between its timeout and a quarter of it later (checked at most every 15 s).
    const everyMs = Math.min(Math.max(Math.floor(timeoutMs / 4), 10), 15_000);
    this.#trimTimer = setInterval(() => this.#trimIdle(timeoutMs), everyMs);
    this.#trimTimer.unref();
  }

  #trimIdle(timeoutMs: number): void {
    if (this.#state !== 'serving') return;
    let trimmed = 0;
    for (const tunnel of this.registry.takeExcessIdle(performance.now(), timeoutMs)) {
      if (tunnel.endIfIdle()) trimmed += 1;
    }
    if (trimmed === 0) return;
    for (let i = 0; i < trimmed; i++) this.#counters.increment('tunnels.trimmed');
    this.log.debug(
      { event: 'tunnels.trimmed', tunnels: trimmed },
      `ended ${trimmed} idle tunnel(s) beyond what their agents keep, idle for ${formatDuration(timeoutMs)} or more`,
    );
  }

  onDescriptor(tunnel: ServerTunnel): void {
    if (this.#state !== 'serving') {
      tunnel.endIfIdle();
    } else if (this.registry.add(tunnel)) {
      this.#counters.increment('tunnels.registered');
    } else {
      tunnel.refuse(
        'KAS_TUNNEL_LIMIT',
        `agent "${tunnel.agentId}" already has ${this.config.maxTunnelsPerAgent} tunnels here, the per-agent limit`,
      );
    }
  }

  pingPeer(tunnel: ServerTunnel): Promise<PingOutcome> {
    return this.#pings.ping(tunnel.peer);
  }

  onIdleAgain(tunnel: ServerTunnel): void {
    this.#counters.increment('exchanges.finished');
    if (this.#state !== 'serving' || !this.registry.release(tunnel)) tunnel.finish();
  }

  onClosed(tunnel: ServerTunnel, ending: TunnelEnding): void {
    this.#connectionMarks.get(tunnel)?.();
    this.#connectionMarks.delete(tunnel);
    if (this.#tunnels.delete(tunnel)) {
      const left = (this.#tunnelsByPeer.get(tunnel.peer) ?? 1) - 1;
      if (left === 0) this.#tunnelsByPeer.delete(tunnel.peer);
      else this.#tunnelsByPeer.set(tunnel.peer, left);
    }
    if (tunnel.descriptor !== undefined) this.registry.remove(tunnel);
    this.#onTunnelClosed?.();
    switch (ending.kind) {
      case 'finished':
        this.#counters.increment('tunnels.finished');
        return;
      case 'cancelled':
        this.#counters.increment('tunnels.cancelled');
        this.log.debug(
          { event: 'tunnel.cancelled', agentId: tunnel.agentId, peer: tunnel.peer },
          'tunnel cancelled',
        );
        return;
      case 'endedByGrpc':
        // Logged by onStatusSentByGrpc once the status has left: it says why.
        this.#counters.increment('tunnels.endedByGrpc');
        return;
      case 'lost':
        this.#counters.increment('tunnels.lost');
        this.log.warn(
          { event: 'tunnel.lost', agentId: tunnel.agentId, peer: tunnel.peer },
          `tunnel of agent "${tunnel.agentId}" ended: ${ending.message}`,
        );
        return;
      case 'refused':
        this.#counters.increment(`tunnels.refused.${ending.code}`);
        this.#refusals.write(
          ending.code,
          { event: 'tunnel.refused', agentId: tunnel.agentId, peer: tunnel.peer, code: ending.code },
          `tunnel of agent "${tunnel.agentId}" ended: ${ending.message}`,
        );
        return;
      default: {
        const unhandled: never = ending;
        throw new Error(`unhandled tunnel ending ${JSON.stringify(unhandled)}`);
      }
    }
  }

  onStatusSentByGrpc(tunnel: ServerTunnel, { code, name, details }: StatusSentByGrpc): void {
    const receiveLimitBytes = this.config.maxMessageBytes * 2;
    // The one grpc-js sends in practice: an agent's message over its receive limit.
    const isOverLimit = code === status.RESOURCE_EXHAUSTED && details.startsWith('Received message');
    this.#refusals.write(
      `grpc-js ${name}`,
      {
        event: 'tunnel.endedByGrpc',
        agentId: tunnel.agentId,
        peer: tunnel.peer,
        grpcCode: code,
        grpcStatus: name,
        details,
        ...(isOverLimit ? { maxMessageBytes: this.config.maxMessageBytes, receiveLimitBytes } : {}),
      },
      isOverLimit
        ? `tunnel of agent "${tunnel.agentId}" ended by grpc-js with ${name} (${details}): the agent sent a message over ${receiveLimitBytes} bytes, twice agentGrpc.maxMessageBytes (${this.config.maxMessageBytes}), which grpc-js refuses before kas reads it; give the agent a message size limit no larger than agentGrpc.maxMessageBytes`
        : `tunnel of agent "${tunnel.agentId}" ended by grpc-js with ${name} (${details})`,
    );
  }

  #accept(call: TunnelCall): void {
    const identity = this.#authenticator.identify(call.metadata);
    if ('failure' in identity) {
      this.#counters.increment('tunnels.refused.KAS_UNAUTHENTICATED');
      const fix = AUTHENTICATION_FIXES[identity.failure];
      this.#refusals.write(
        `KAS_UNAUTHENTICATED (${identity.failure})`,
        {
          event: 'tunnel.unauthenticated',
          code: 'KAS_UNAUTHENTICATED',
          peer: call.getPeer(),
          reason: identity.failure,
          fix: fix.kas,
        },
        `refused a tunnel: ${identity.failure}`,
      );
      call.emit('error', {
        code: status.UNAUTHENTICATED,
        details: `KAS_UNAUTHENTICATED: ${identity.failure}; ${fix.agent}`,
      });
      return;
    }
    const tunnel = new ServerTunnel(identity.agentId, call.getPeer(), call, this, {
      timeMs: this.config.keepalive.time,
      timeoutMs: this.config.keepalive.timeout,
    });
    this.#tunnels.add(tunnel);
    // A call that never sends its descriptor holds memory and a stream: it has handshakeTimeout to send it.
    const descriptorTimer = setTimeout(() => {
      if (tunnel.state === 'handshake')
        tunnel.refuse(
          'KAS_DESCRIPTOR_TIMEOUT',
          `no descriptor within ${formatDuration(this.config.handshakeTimeout)} (handshakeTimeout) of the call's start`,
        );
    }, this.config.handshakeTimeout);
    descriptorTimer.unref();
    call.once('close', () => clearTimeout(descriptorTimer));
    this.#tunnelsByPeer.set(tunnel.peer, (this.#tunnelsByPeer.get(tunnel.peer) ?? 0) + 1);
    this.#tunnelledPeers.add(tunnel.peer);
    if (this.#connections !== undefined)
      this.#connectionMarks.set(tunnel, this.#connections.busy(tunnel.peer));
  }

  /**
   * Resets a connection that has carried no tunnel `handshakeTimeout` after it was accepted (a load
   * balancer's TCP check, a TLS hello that never comes). A one-shot timer, not the socket's inactivity
   * timer: once grpc-js's HTTP/2 session holds the socket, its bytes no longer reach that timer. A reset,
   * because destroy() alone leaves such a socket open.
   */
  #closeIfSilent(socket: Socket): void {
    const peer = peerOf(socket);
    const timer = setTimeout(() => {
      if (!this.#tunnelledPeers.has(peer)) socket.resetAndDestroy();
    }, this.config.handshakeTimeout);
    timer.unref();
    socket.once('close', () => {
      clearTimeout(timer);
      this.#tunnelledPeers.delete(peer);
    });
  }

  /** Listens on a TCP socket of its own and hands each connection to grpc-js (TLS included). */
  async #listen(server: Server, credentials: ServerCredentials): Promise<number> {
    const target = this.config.listen;
    const { host, port } = splitHostPort(target);
    const injector = server.createConnectionInjector(credentials);
    if (!this.#pings.attach(server)) {
      this.log.warn(
        { event: 'grpc.pingsUnavailable' },
        'this grpc-js version hides its HTTP/2 servers: an agent that freezes while kas sends it a request body is not found until the body moves again or its client gives up',
      );
    }
    if (!widenServerFlowControlWindow(server)) {
      this.log.warn(
        { event: 'grpc.flowControlDefault' },
        "this grpc-js version hides its HTTP/2 servers: tunnels keep HTTP/2's 64 KiB flow-control window (bulk transfers are slower)",
      );
    }
    const listener = createServer((socket: Socket) => {
      injector.injectConnection(socket);
      this.#closeIfSilent(socket);
    });
    this.#connections = new ListenerConnections(listener);
    try {
      listener.listen(port, host);
      await once(listener, 'listening');
    } catch (error) {
      throw new AgentGrpcError(
        'KAS_LISTEN_FAILED',
        `the agent gRPC server cannot listen on ${target}: ${describeListenFailure(error)}`,
        listenFailureFix("the agent gRPC server's listen (agentGrpc.listen in kas.yaml)", target),
        { cause: error },
      );
    }
    this.#listener = listener;
    const address = listener.address();
    return typeof address === 'object' && address !== null ? address.port : port;
  }
}
