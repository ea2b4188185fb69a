import { type ServerDuplexStream, status } from '@grpc/grpc-js';
import {
  EMPTY_BODY,
  type ForwardReply,
  type ForwardRequest,
  FrameOrder,
  type HeartbeatTiming,
  type PingOutcome,
  type TunnelRegistry,
  UndecodableMessage,
} from '@kas/tunnel-protocol';

const HEARTBEAT_REPLY: ForwardReply = { tunnelAcquired: false, frame: undefined, heartbeat: true };

/**
 * How the details of a cut call (`UNAVAILABLE`) begin; the reason after it is meant for the user (the
 * calling replica passes it on to its client, e.g. in an exec session's close frame).
 */
export const PRIVATE_API_CUT_PREFIX = 'cut by the private API: ';

import { formatDuration } from '@kas/core';
import { type InboundEnding, InboundExchange, type InboundExchangeOwner } from './InboundExchange.js';

/** The server side of one Forward call. */
export type ForwardServerCall = ServerDuplexStream<ForwardRequest | UndecodableMessage, ForwardReply>;

/** Where a call is: waiting for the next exchange, carrying one, or over. */
export type InboundStreamState = 'idle' | 'busy' | 'closed';

/** What a call tells the server that owns it. */
export interface InboundStreamOwner {
  /** Caps the wait a caller asks for. */
  readonly maxTunnelWaitMs: number;
  /** True once the private API is stopping: new exchanges are refused and idle calls end. */
  isStopping(): boolean;
  onExchangeStarted(exchange: InboundExchange): void;
  onResponseEnded(exchange: InboundExchange, ending: InboundEnding, detail?: string): void;
  /** The call broke the protocol (the details start with the code): for the log. */
  onRefused(stream: InboundStream, code: string, details: string): void;
  /** The call is over. Called once. */
  onClosed(stream: InboundStream): void;
  /** The calling replica did not answer a heartbeat or a ping in time: the call ends (for the log). */
  onLost(stream: InboundStream, message: string): void;
  /** Sends an HTTP/2 ping on the call's connection: whether the calling replica answered it in time. */
  pingPeer(stream: InboundStream): Promise<PingOutcome>;
}

/**
 * One authenticated Forward call from another replica, carrying one exchange at a time: each begins with
 * a message naming its target; between exchanges the call is idle. A message that breaks the protocol
 * ends this call alone with INVALID_ARGUMENT (details lead with the code). The caller ends an idle call by
 * half-closing it; a stopping server ends idle calls at once and busy ones after their exchange.
 */
export class InboundStream implements InboundExchangeOwner {
  #state: InboundStreamState = 'idle';
  #exchange: InboundExchange | undefined;
  #heartbeatTimer: NodeJS.Timeout | undefined;
  /** Aborted when an exchange is cancelled, which ends the call: one for all of the call's exchanges. */
  readonly #abort = new AbortController();
  /** Armed by a heartbeat, disarmed by any message from the caller. */
  #answerTimer: NodeJS.Timeout | undefined;
  /** The calling replica's connection: its remote address and port, as grpc-js says them. */
  readonly peer: string;

  constructor(
    private readonly call: ForwardServerCall,
    private readonly registry: TunnelRegistry,
    private readonly owner: InboundStreamOwner,
    /** Set when the caller answers heartbeats (it said so in its metadata). */
    heartbeat?: HeartbeatTiming,
  ) {
    this.peer = call.getPeer();
    call.on('data', this.#onMessage);
    call.on('end', this.#onCallerEnded);
    call.on('cancelled', this.#onCancelled);
    // HTTP/2 pings stop working once the connection has GOAWAY (and grpc-js then drops every call on it):
    // a forwarded watch must outlive this replica's GOAWAY, so liveness is checked on the call itself.
    if (heartbeat !== undefined) {
      this.#heartbeatTimer = setInterval(() => {
        this.call.write(HEARTBEAT_REPLY);
        this.#answerTimer ??= setTimeout(() => this.#onSilent(heartbeat), heartbeat.timeoutMs).unref();
      }, heartbeat.timeMs).unref();
    }
  }

  get state(): InboundStreamState {
    return this.#state;
  }

  /** Ends the call with status OK when it carries no exchange. */
  endIfIdle(): boolean {
    if (this.#state !== 'idle') return false;
    this.#finish();
    return true;
  }

  /** Cuts the call now (the drain budget ended): its request is cancelled, the caller gets UNAVAILABLE. */
  cut(why: string): void {
    if (this.#state === 'closed') return;
    this.#exchange?.cancel('cut', why);
    if (!this.#close()) return;
    this.call.emit('error', { code: status.UNAVAILABLE, details: `${PRIVATE_API_CUT_PREFIX}${why}` });
  }

  onResponseEnded(exchange: InboundExchange, ending: InboundEnding, detail?: string): void {
    this.owner.onResponseEnded(exchange, ending, detail);
  }

  onExchangeOver(exchange: InboundExchange): void {
    if (this.#exchange !== exchange || this.#state !== 'busy') return;
    this.#exchange = undefined;
    this.#state = 'idle';
    // The request body may have paused the call (the tunnel read it slowly); the next exchange reads anew.
    this.call.resume();
    if (this.owner.isStopping()) this.#finish();
  }

  readonly #onMessage = (message: ForwardRequest | UndecodableMessage): void => {
    clearTimeout(this.#answerTimer); // any message says the caller is there
    this.#answerTimer = undefined;
    if (message instanceof UndecodableMessage) {
      this.#refuse(message.code, message.message);
      return;
    }
    if (message.heartbeat) {
      if (message.target !== undefined || message.frame !== undefined)
        this.#refuse('KAS_FRAME_OUT_OF_ORDER', 'a heartbeat must be alone in its message');
      return;
    }
    switch (this.#state) {
      case 'idle':
        this.#begin(message);
        return;
      case 'busy': {
        if (message.target !== undefined) {
          this.#refuse('KAS_FRAME_OUT_OF_ORDER', 'a target in the middle of an exchange');
          return;
        }
        const frame = message.frame;
        const violation =
          frame === undefined
            ? { code: 'KAS_FRAME_UNKNOWN' as const, message: 'a message with neither a target nor a frame' }
            : this.#exchange?.accept(frame);
        if (violation !== undefined) this.#refuse(violation.code, violation.message);
        return;
      }
      case 'closed':
        return;
      default: {
        const unhandled: never = this.#state;
        throw new Error(`unhandled Forward call state ${String(unhandled)}`);
      }
    }
  };

  #begin(message: ForwardRequest): void {
    const { target, frame } = message;
    if (target === undefined || frame === undefined) {
      this.#refuse('KAS_FRAME_OUT_OF_ORDER', 'an exchange must begin with a target and its first frame');
      return;
    }
    if (target.agentId === '') {
      this.#refuse('KAS_FRAME_MALFORMED', 'a target without an agent id');
      return;
    }
    const violation = new FrameOrder('request').accept(frame);
    if (violation !== undefined) {
      this.#refuse(violation.code, violation.message);
      return;
    }
    if (this.owner.isStopping()) {
      // A stopping replica hands out no tunnel: the caller tries another route, and this call ends.
      this.call.write({
        tunnelAcquired: false,
        frame: {
          body: EMPTY_BODY,
          end: false,
          error: { code: 'KAS_REPLICA_STOPPING', message: 'this replica is stopping' },
        },
        heartbeat: false,
      });
      this.#finish();
      return;
    }
    this.#state = 'busy';
    const exchange = new InboundExchange(
      this.call,
      target.agentId,
      this.registry,
      Math.min(target.tunnelWaitMs, this.owner.maxTunnelWaitMs),
      this,
      frame,
      this.#abort,
    );
    this.#exchange = exchange;
    this.owner.onExchangeStarted(exchange);
    exchange.start();
  }

  readonly #onCallerEnded = (): void => {
    // A reset stream (the caller cancelled, or went away) ends the readable side too, and grpc-js may
    // report the cancellation only much later (once the response side is done). A caller never
    // half-closes in the middle of an exchange, so either way the exchange is abandoned.
    this.#exchange?.cancel('cancelled', 'the calling replica cancelled the forwarded request');
    this.#finish();
  };

  readonly #onCancelled = (): void => {
    this.#exchange?.cancel('cancelled', 'the calling replica cancelled');
    this.#close();
  };

  /** No answer to a heartbeat within the timeout: the calling replica or its connection is gone. */
  #onSilent(heartbeat: HeartbeatTiming): void {
    this.#answerTimer = undefined;
    // Silence says nothing about the caller when this replica stopped reading the call (the tunnel takes
    // the request body slower than the caller sends it: its answers wait behind that body), or when the
    // heartbeat still waits behind an answer the caller has not read (its client reads slowly). An HTTP/2
    // ping, which neither holds back, tells: a caller that is only slow answers it. One that cannot be
    // asked (its connection got GOAWAY) is asked again by the next heartbeat.
    if (this.call.isPaused() || this.call.writableLength > 0) {
      this.owner.pingPeer(this).then((outcome) => {
        if (outcome === 'silent' && this.#state !== 'closed')
          this.#lose(`did not answer an HTTP/2 ping within ${formatDuration(heartbeat.timeoutMs)}`);
      });
      return;
    }
    this.#lose(`did not answer a heartbeat within ${formatDuration(heartbeat.timeoutMs)}`);
  }

  /** Ends the call as lost: the calling replica did not answer (`what`). */
  #lose(what: string): void {
    const why = `the calling replica ${what}: its connection is lost`;
    this.#exchange?.cancel('cancelled', why);
    if (!this.#close()) return;
    this.owner.onLost(this, why);
    this.call.emit('error', { code: status.UNAVAILABLE, details: `KAS_FORWARD_LOST: ${why}` });
  }

  #refuse(code: string, message: string): void {
    this.#exchange?.cancel('failed', `${code}: ${message}`);
    if (!this.#close()) return;
    const details = `${code}: ${message}`;
    this.owner.onRefused(this, code, details);
    this.call.emit('error', { code: status.INVALID_ARGUMENT, details });
  }

  #finish(): void {
    if (!this.#close()) return;
    this.call.end();
  }

  #close(): boolean {
    if (this.#state === 'closed') return false;
    clearInterval(this.#heartbeatTimer);
    clearTimeout(this.#answerTimer);
    this.#state = 'closed';
    this.owner.onClosed(this);
    return true;
  }
}
