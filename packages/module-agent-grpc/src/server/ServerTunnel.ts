import type { Readable } from 'node:stream';
import { Metadata, type ServerDuplexStream, status } from '@grpc/grpc-js';
import { formatDuration } from '@kas/core';
import type {
  AgentDescriptor,
  AgentMessage,
  HeartbeatTiming,
  KasTunnelMessage,
  PingOutcome,
  Tunnel,
  TunnelRequest,
  TunnelResponse,
} from '@kas/tunnel-protocol';
import { HEARTBEAT_METADATA, KAS_HEARTBEAT, UndecodableMessage } from '@kas/tunnel-protocol';
import { AgentGrpcError } from '../errors/AgentGrpcError.js';
import type { AgentGrpcErrorCode } from '../errors/errorCodes.js';
import type { RegisteredTunnel } from '../registry/LocalTunnelRegistry.js';
import { TunnelExchange } from './TunnelExchange.js';
import { type StatusSentByGrpc, watchStatusSentByGrpc } from './watchStatusSentByGrpc.js';

/** The server side of one `Connect` call. */
export type TunnelCall = ServerDuplexStream<AgentMessage | UndecodableMessage, KasTunnelMessage>;

/** Where a tunnel is in its life: one request at most, then closed. */
export type ServerTunnelState = 'handshake' | 'idle' | 'reserved' | 'busy' | 'closed';

/**
 * How a tunnel ended: cleanly, by the agent or its connection, by grpc-js itself (a message over its
 * receive limit), its agent silent past the heartbeat timeout (the connection is lost), or for breaking
 * the protocol.
 */
export type TunnelEnding =
  | { readonly kind: 'finished' }
  | { readonly kind: 'cancelled' }
  | { readonly kind: 'endedByGrpc' }
  | { readonly kind: 'lost'; readonly message: string }
  | { readonly kind: 'refused'; readonly code: AgentGrpcErrorCode; readonly message: string };

/** What a tunnel tells the server that owns it. */
export interface TunnelOwner {
  /** The descriptor arrived: register the tunnel, or end it. */
  onDescriptor(tunnel: ServerTunnel): void;
  /** An exchange ended cleanly and the tunnel is idle again: offer it again, or end it. */
  onIdleAgain(tunnel: ServerTunnel): void;
  /** The tunnel closed and can no longer be used. Called once. */
  onClosed(tunnel: ServerTunnel, ending: TunnelEnding): void;
  /** The status grpc-js sent when it ended the tunnel by itself (`endedByGrpc`), once it has left. */
  onStatusSentByGrpc(tunnel: ServerTunnel, sent: StatusSentByGrpc): void;
  /** Sends an HTTP/2 ping on the tunnel's connection: whether the agent answered it in time. */
  pingPeer(tunnel: ServerTunnel): Promise<PingOutcome>;
}

/** How long a half-close in the middle of a response may wait for the cancellation that explains it. */
const HALF_CLOSE_GRACE_MS = 1_000;

const GRPC_STATUS_OF: Partial<Record<AgentGrpcErrorCode, status>> = {
  KAS_FRAME_TOO_LARGE: status.RESOURCE_EXHAUSTED,
  KAS_TUNNEL_LIMIT: status.RESOURCE_EXHAUSTED,
  KAS_REPLICA_STOPPING: status.UNAVAILABLE,
};

/**
 * One reverse tunnel: waits for the agent's descriptor, idles in the registry, and carries one request
 * at a time (`roundTrip` through a lease from `reserve`). After a clean exchange it is idle again; after
 * anything else it ends (status OK) and the agent opens a fresh one. Any frame that breaks the protocol
 * ends this tunnel alone, with a status whose details start with the error code.
 */
export class ServerTunnel implements RegisteredTunnel {
  #state: ServerTunnelState = 'handshake';
  #descriptor: AgentDescriptor | undefined;
  #exchange: TunnelExchange | undefined;
  /** Bumped by each `reserve`, so a lease that was used cannot send a second request. */
  #lease = 0;
  #heartbeatTimer: NodeJS.Timeout | undefined;
  /** Armed by a heartbeat, disarmed by any message from the agent. */
  #answerTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly agentId: string,
    /** The agent connection's remote address and port; tunnels of one connection share it. */
    readonly peer: string,
    private readonly call: TunnelCall,
    private readonly owner: TunnelOwner,
    private readonly heartbeat: HeartbeatTiming,
  ) {
    call.on('data', (message: AgentMessage | UndecodableMessage) => this.#onMessage(message));
    call.on('end', () => this.#onAgentEnded());
    call.on('cancelled', () => this.#onCancelled());
  }

  get state(): ServerTunnelState {
    return this.#state;
  }

  /** What the agent said about itself; undefined until the descriptor arrived. */
  get descriptor(): AgentDescriptor | undefined {
    return this.#descriptor;
  }

  get idleTunnelsKept(): number {
    return this.#descriptor?.idleTunnels ?? 0;
  }

  reserve(): Tunnel | undefined {
    if (this.#state !== 'idle') return undefined;
    this.#state = 'reserved';
    this.#lease += 1;
    const lease = this.#lease;
    return {
      agentId: this.agentId,
      roundTrip: (request, body, signal) => this.#roundTrip(lease, request, body, signal),
    };
  }

  #roundTrip(
    lease: number,
    request: TunnelRequest,
    body: Readable | undefined,
    signal: AbortSignal,
  ): Promise<TunnelResponse> {
    if (this.#state !== 'reserved' || lease !== this.#lease) {
      const isClosed = this.#state === 'closed' && lease === this.#lease;
      return Promise.reject(
        new AgentGrpcError(
          isClosed ? 'KAS_TUNNEL_BROKEN' : 'KAS_TUNNEL_BUSY',
          isClosed
            ? `the tunnel of agent "${this.agentId}" closed before the request was sent`
            : `this lease on a tunnel of agent "${this.agentId}" was already used for a request`,
          isClosed ? 'acquire another tunnel and retry' : 'acquire a tunnel for each request',
        ),
      );
    }
    if (request.upgrade !== undefined && this.#descriptor?.upgrades !== true) {
      this.#state = 'idle';
      this.owner.onIdleAgain(this);
      return Promise.reject(
        new AgentGrpcError(
          'KAS_UPGRADE_UNSUPPORTED',
          `agent "${this.agentId}" (agentk ${this.#descriptor?.agentVersion || 'of unknown version'}) does not carry connection upgrades (${request.upgrade}): exec, attach, cp and port-forward need agentk with tunnel protocol 1.1`,
          'upgrade agentk; every other request keeps working with this agent',
        ),
      );
    }
    this.#state = 'busy';
    const exchange = new TunnelExchange(this.call, this, signal);
    this.#exchange = exchange;
    exchange.send(request, body);
    return exchange.head;
  }

  onExchangeDone(): void {
    if (this.#state !== 'busy') return;
    this.#state = 'idle';
    this.#exchange = undefined;
    // The last body frame may have paused the call (its reader was slow); the next exchange reads anew.
    this.call.resume();
    this.owner.onIdleAgain(this);
  }

  /**
   * Ends the tunnel with status OK if it carries no request (a reserved tunnel whose request was not sent
   * yet counts as idle): the agent reconnects, elsewhere, at once.
   */
  endIfIdle(): boolean {
    if (this.#state === 'busy' || this.#state === 'closed') return false;
    this.finish();
    return true;
  }

  /** Ends the tunnel with status OK. */
  finish(): void {
    if (!this.#close({ kind: 'finished' })) return;
    this.call.end();
  }

  /** Ends the tunnel with CANCELLED: the agent cancels its upstream request. */
  cancel(why: string): void {
    if (!this.#close({ kind: 'cancelled' })) return;
    this.call.emit('error', { code: status.CANCELLED, details: `cancelled by kas: ${why}` });
  }

  /** Cuts the tunnel now: its request fails with `KAS_TUNNEL_BROKEN`, the agent gets CANCELLED. */
  cut(why: string): void {
    this.#exchange?.break(
      new AgentGrpcError(
        'KAS_TUNNEL_BROKEN',
        `the request to agent "${this.agentId}" was cut: ${why}`,
        'retry the request: the agent reconnects to another replica',
      ),
    );
    this.cancel(why);
  }

  /** Ends the tunnel with an error status whose details start with `code`. */
  refuse(code: AgentGrpcErrorCode, message: string): void {
    // The agent sent what kas refuses: the same request sent again would most likely get the same answer.
    const error = new AgentGrpcError(
      'KAS_AGENT_ANSWER_INVALID',
      `tunnel of agent "${this.agentId}" ended: ${message}`,
      `fix the agent (or what answers it upstream): it broke the tunnel protocol (${code})`,
    );
    this.#exchange?.break(error);
    if (!this.#close({ kind: 'refused', code, message })) return;
    this.call.emit('error', {
      code: GRPC_STATUS_OF[code] ?? status.INVALID_ARGUMENT,
      details: `${code}: ${message}`,
    });
  }

  #onMessage(message: AgentMessage | UndecodableMessage): void {
    clearTimeout(this.#answerTimer); // any message says the agent is there
    this.#answerTimer = undefined;
    if (message instanceof UndecodableMessage) {
      this.refuse(message.code, message.message);
      return;
    }
    if (message.heartbeat) {
      if (message.descriptor !== undefined || hasFrameParts(message))
        this.refuse('KAS_FRAME_OUT_OF_ORDER', 'a heartbeat must be alone in its message');
      return;
    }
    switch (this.#state) {
      case 'handshake':
        if (message.descriptor === undefined || hasFrameParts(message)) {
          this.refuse('KAS_FRAME_OUT_OF_ORDER', 'the first message of a tunnel must be the descriptor alone');
          return;
        }
        this.#descriptor = message.descriptor;
        this.#state = 'idle';
        this.owner.onDescriptor(this);
        // onDescriptor may have ended the tunnel (limit reached, replica stopping).
        if ((this.#state as ServerTunnelState) !== 'closed') {
          const metadata = new Metadata();
          metadata.set(HEARTBEAT_METADATA, `${this.heartbeat.timeMs},${this.heartbeat.timeoutMs}`);
          this.call.sendMetadata(metadata);
          if (message.descriptor.heartbeats) this.#startHeartbeats();
        }
        return;
      case 'idle':
      case 'reserved':
        this.refuse('KAS_FRAME_OUT_OF_ORDER', 'a message on a tunnel that carries no request');
        return;
      case 'busy': {
        const violation =
          message.descriptor !== undefined
            ? { code: 'KAS_FRAME_OUT_OF_ORDER' as const, message: 'a second descriptor' }
            : this.#exchange?.accept(message);
        if (violation !== undefined) this.refuse(violation.code, violation.message);
        return;
      }
      case 'closed':
        return;
      default: {
        const unhandled: never = this.#state;
        throw new Error(`unhandled tunnel state ${String(unhandled)}`);
      }
    }
  }

  #onAgentEnded(): void {
    if (this.#state !== 'busy') {
      this.finish();
      return;
    }
    // A reset stream (the agent cancelled, was cut at its own drain budget, or vanished) also ends the
    // readable side, before grpc-js reports the cancellation: 10 ms later under load, not within one turn
    // of the loop. Only a half-close that no cancellation follows breaks the protocol.
    setTimeout(() => {
      if (this.#state !== 'busy') return;
      if (this.#exchange?.isAnswered === false) {
        // The agent half-closed a tunnel it saw idle (agentk closes its idle tunnels as it stops) while the
        // request was on its way: the request crossed the close and the agent never took it. No protocol
        // was broken: the request fails as a broken tunnel (the kube proxy sends a GET again on another
        // one) and the tunnel ends as finished.
        this.#exchange.break(
          new AgentGrpcError(
            'KAS_TUNNEL_BROKEN',
            `agent "${this.agentId}" closed the tunnel before it took the request (the agent is stopping)`,
            'retry the request: the agent reconnects, or another of its tunnels carries it',
          ),
        );
        this.finish();
        return;
      }
      this.refuse('KAS_FRAME_OUT_OF_ORDER', 'the agent ended the stream before the response ended');
    }, HALF_CLOSE_GRACE_MS).unref();
  }

  #onCancelled(): void {
    if (this.#state === 'closed') return;
    const isEndedByGrpc = watchStatusSentByGrpc(this.call, (sent) =>
      this.owner.onStatusSentByGrpc(this, sent),
    );
    this.#exchange?.break(
      isEndedByGrpc
        ? new AgentGrpcError(
            'KAS_AGENT_ANSWER_INVALID',
            `the tunnel of agent "${this.agentId}" was ended by grpc-js before the response did: grpc-js ends a call by itself when the agent sends a message over its receive limit, twice agentGrpc.maxMessageBytes (RESOURCE_EXHAUSTED)`,
            "kas's log names the agent and the status (event tunnel.endedByGrpc); the same request fails again until the agent's message size limit is no larger than kas's",
          )
        : new AgentGrpcError(
            'KAS_TUNNEL_BROKEN',
            `the tunnel of agent "${this.agentId}" ended before the response did (the agent cancelled it, vanished, or the replica cut it)`,
            'retry the request: the agent opens new tunnels when it is back',
          ),
    );
    this.#close(isEndedByGrpc ? { kind: 'endedByGrpc' } : { kind: 'cancelled' });
  }

  /**
   * HTTP/2 pings cannot keep a tunnel's connection checked once it has GOAWAY (Node cancels them and
   * grpc-js then drops every call on it), and a busy tunnel must outlive its GOAWAY: heartbeats on the
   * tunnel itself do, idle or busy, before and after GOAWAY.
   */
  #startHeartbeats(): void {
    this.#heartbeatTimer = setInterval(() => {
      this.call.write(KAS_HEARTBEAT);
      this.#answerTimer ??= setTimeout(() => this.#onSilent(), this.heartbeat.timeoutMs).unref();
    }, this.heartbeat.timeMs).unref();
  }

  /** No answer to a heartbeat within the timeout: the agent or its connection is gone. */
  #onSilent(): void {
    this.#answerTimer = undefined;
    // Silence says nothing about the agent when kas itself stopped reading the call (its client reads the
    // answer slower than the agent sends it: the agent's answers wait behind the body it could not send
    // yet), or when kas's heartbeat still waits behind a request body the agent has not taken: ending the
    // tunnel would cut a healthy exchange. An HTTP/2 ping, which neither holds back, tells: an agent that
    // is only slow answers it. One that cannot be asked (its connection got GOAWAY) is asked again by the
    // next heartbeat.
    if (this.call.isPaused() || this.call.writableLength > 0) {
      this.owner.pingPeer(this).then((outcome) => {
        if (outcome === 'silent' && this.#state !== 'closed')
          this.#lose(`did not answer an HTTP/2 ping within ${formatDuration(this.heartbeat.timeoutMs)}`);
      });
      return;
    }
    this.#lose(`did not answer a heartbeat within ${formatDuration(this.heartbeat.timeoutMs)}`);
  }

  /** Ends the tunnel as lost: the agent did not answer (`what`). */
  #lose(what: string): void {
    const message = `agent "${this.agentId}" ${what}: its connection is lost`;
    this.#exchange?.break(
      new AgentGrpcError(
        'KAS_TUNNEL_BROKEN',
        `the request to agent "${this.agentId}" failed: ${message}`,
        'retry the request: the agent opens new tunnels when it is back',
      ),
    );
    if (!this.#close({ kind: 'lost', message })) return;
    this.call.emit('error', { code: status.UNAVAILABLE, details: `KAS_TUNNEL_BROKEN: ${message}` });
  }

  #close(ending: TunnelEnding): boolean {
    if (this.#state === 'closed') return false;
    clearInterval(this.#heartbeatTimer);
    clearTimeout(this.#answerTimer);
    this.#state = 'closed';
    this.owner.onClosed(this, ending);
    return true;
  }
}

function hasFrameParts(message: AgentMessage): boolean {
  return message.head !== undefined || message.body.length > 0 || message.end || message.error !== undefined;
}
