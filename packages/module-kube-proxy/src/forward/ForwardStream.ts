import type { Readable } from 'node:stream';
import { type ClientDuplexStream, type Metadata, status } from '@grpc/grpc-js';
import { formatDuration } from '@kas/core';
import {
  cleanGrpcDetails,
  type ForwardReply,
  type ForwardRequest,
  type ForwardTarget,
  HEARTBEAT_METADATA,
  parseHeartbeatMetadata,
  type TunnelRequest,
  type TunnelResponse,
  UndecodableMessage,
} from '@kas/tunnel-protocol';
import { PRIVATE_API_CUT_PREFIX } from '../privateApi/InboundStream.js';
import { OutboundExchange } from './OutboundExchange.js';

/** Why a stream is ended under its exchange. */
export interface StreamLoss {
  /** For the log: what happened, naming the replica and its address. */
  readonly message: string;
  readonly fix: string;
  /** For the user: what failed, without an internal address (e.g. "the connection to it was lost"). */
  readonly failure: string;
}

const HEARTBEAT_ANSWER: ForwardRequest = { target: undefined, frame: undefined, heartbeat: true };

/** The client side of one Forward call. */
export type ForwardCall = ClientDuplexStream<ForwardRequest, ForwardReply | UndecodableMessage>;

/** Where a pooled call is: free for an exchange, carrying one, or over. */
export type ForwardStreamState = 'idle' | 'busy' | 'closed';

/** What a stream tells the pool that owns it. */
export interface ForwardStreamOwner {
  /** An exchange ended cleanly: the stream may carry the next one. */
  onIdle(stream: ForwardStream): void;
  /** The call is over (ended, failed or cancelled); the stream is never used again. Called once. */
  onClosed(stream: ForwardStream): void;
  /** The callee sent nothing for its heartbeat time plus timeout: the connection is lost. */
  onLost(stream: ForwardStream, loss: StreamLoss): void;
  /**
   * The callee's response metadata came: `sendsHeartbeats` when it carries `kas-heartbeat` (such a
   * replica sends it as it accepts the call; an older one only with its first reply).
   */
  onAnswered(stream: ForwardStream, sendsHeartbeats: boolean): void;
  /**
   * No response metadata came within `waitedMs` of the call's opening: the loss to report, when that means
   * the connection is lost; undefined when the callee may still be answering (an older replica).
   */
  lossOfUnanswered(waitedMs: number): StreamLoss | undefined;
}

/**
 * One Forward call to another replica's private API, kept open and carrying one exchange at a time:
 * the caller's half of a pooled stream. After a clean exchange it is idle again; anything else (a cancel,
 * an error, a response that ended before its request was sent whole) ends the call and the stream is
 * dropped. The caller decides: the callee keeps a call until the caller ends it (or it stops).
 */
export class ForwardStream {
  #state: ForwardStreamState = 'idle';
  #exchange: OutboundExchange | undefined;
  /** `performance.now()` when the stream last became idle. */
  idleSince = performance.now();
  /** The callee's heartbeat time plus timeout, once its metadata said it sends heartbeats. */
  #silenceLimitMs: number | undefined;
  #heardAt = 0;
  #silenceTimer: NodeJS.Timeout | undefined;
  /** Armed until the callee's response metadata comes. */
  #answerTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly call: ForwardCall,
    readonly where: string,
    private readonly owner: ForwardStreamOwner,
    /** How long the callee may take to send its response metadata; 0: no limit. */
    answerTimeoutMs: number,
  ) {
    // Heartbeats watch a call only once the callee's metadata came: a replica that accepts the connection
    // and then says nothing (or never completes its handshake) would hold the request until the kube
    // proxy's responseHeaderTimeout.
    if (answerTimeoutMs > 0) {
      this.#answerTimer = setTimeout(() => this.#onUnanswered(answerTimeoutMs), answerTimeoutMs).unref();
    }
    call.on('metadata', this.#onMetadata);
    call.on('data', this.#onReply);
    call.on('error', this.#onError);
    call.on('end', this.#onEnd);
  }

  get state(): ForwardStreamState {
    return this.#state;
  }

  /** Sends one request on this idle stream; resolves with the response head (see `OutboundExchange`). */
  exchange(
    target: ForwardTarget,
    request: TunnelRequest,
    body: Readable | undefined,
    signal: AbortSignal,
  ): Promise<TunnelResponse> {
    if (this.#state !== 'idle')
      throw new Error(`a Forward stream that is ${this.#state} cannot take a request`);
    this.#state = 'busy';
    const exchange = new OutboundExchange(this.call, this, target, request, body, signal);
    this.#exchange = exchange;
    return exchange.head;
  }

  /** Ends an idle stream by half-closing it (the callee answers with status OK); a busy one is left alone. */
  release(): void {
    if (this.#state !== 'idle') return;
    this.#close();
    this.call.end();
  }

  onExchangeDone(isClean: boolean): void {
    if (this.#state !== 'busy') return;
    this.#exchange = undefined;
    if (!isClean) {
      // The response ended before the request was sent whole: the callee would wait for the rest.
      this.cancel();
      return;
    }
    this.#state = 'idle';
    this.idleSince = performance.now();
    // The last body frame may have paused the call (its reader was slow); the next exchange reads anew.
    this.call.resume();
    this.owner.onIdle(this);
  }

  /**
   * Cancels the call. `loss` says why to the exchange it carries (the connection was lost); without it the
   * exchange hears grpc-js's "Cancelled on client".
   */
  cancel(loss?: StreamLoss): void {
    if (this.#state === 'closed') return;
    if (loss !== undefined) this.#exchange?.break(loss);
    this.#close();
    this.call.cancel();
  }

  // HTTP/2 pings stop working once the callee's connection has GOAWAY (grpc-js then drops every call on
  // it): the callee's heartbeats on the call itself say it is there, and a forwarded watch outlives GOAWAY.
  readonly #onMetadata = (metadata: Metadata): void => {
    clearTimeout(this.#answerTimer);
    if (this.#state === 'closed') return;
    const heartbeat = parseHeartbeatMetadata(metadata.get(HEARTBEAT_METADATA)[0]);
    this.owner.onAnswered(this, heartbeat !== undefined);
    if (heartbeat === undefined) return;
    this.#silenceLimitMs = heartbeat.timeMs + heartbeat.timeoutMs;
    this.#heardAt = performance.now();
    this.#watchSilence(this.#silenceLimitMs);
  };

  #watchSilence(inMs: number): void {
    this.#silenceTimer = setTimeout(() => {
      const limitMs = this.#silenceLimitMs as number;
      // This replica stopped reading the call (its client reads the answer slower than it comes): the
      // callee's heartbeats wait behind the body, so the silence says nothing about the callee.
      if (this.call.isPaused()) this.#heardAt = performance.now();
      const silentMs = performance.now() - this.#heardAt;
      if (silentMs < limitMs) return this.#watchSilence(limitMs - silentMs);
      this.#lose({
        message: `the connection to ${this.where} is lost: it sent nothing for ${formatDuration(silentMs)} (its heartbeat time plus timeout is ${formatDuration(limitMs)})`,
        fix: `check that ${this.where} is running and reachable from this replica (a paused or overloaded process, a network partition)`,
        failure: `the connection to it was lost (it sent nothing for ${formatDuration(silentMs)})`,
      });
    }, inMs).unref();
  }

  #onUnanswered(waitedMs: number): void {
    if (this.#state === 'closed') return;
    const loss = this.owner.lossOfUnanswered(waitedMs);
    if (loss !== undefined) this.#lose(loss);
  }

  /** The connection to the callee is lost: this call ends, and the owner ends the others on it. */
  #lose(loss: StreamLoss): void {
    this.cancel(loss);
    this.owner.onLost(this, loss);
  }

  readonly #onReply = (reply: ForwardReply | UndecodableMessage): void => {
    this.#heardAt = performance.now();
    const exchange = this.#exchange;
    if (reply instanceof UndecodableMessage) {
      this.#violated(`${reply.code}: ${reply.message}`);
      return;
    }
    if (reply.heartbeat) {
      if (reply.frame !== undefined || reply.tunnelAcquired)
        this.#violated('KAS_FRAME_OUT_OF_ORDER: a heartbeat must be alone in its message');
      else if (this.#state !== 'closed') this.call.write(HEARTBEAT_ANSWER);
      return;
    }
    if (exchange === undefined) {
      if (this.#state !== 'closed') this.#violated('KAS_FRAME_OUT_OF_ORDER: a reply on an idle Forward call');
      return;
    }
    const violation = exchange.accept(reply);
    if (violation !== undefined) this.#violated(`${violation.code}: ${violation.message}`);
  };

  readonly #onError = (error: Error & { code?: number; details?: string }): void => {
    const exchange = this.#exchange;
    this.#close();
    if (exchange === undefined) return;
    const details = cleanGrpcDetails(error.details ?? error.message);
    if (error.code === status.UNAVAILABLE && details.startsWith(PRIVATE_API_CUT_PREFIX)) {
      // The callee cut the call at its stop (drain budget, second signal, deadline): its reason is the
      // user's to see (an exec session's close frame says it), without this replica's address.
      exchange.break({
        message: details,
        fix: 'none: the replica holding the tunnel stopped; the client reconnects',
        failure: 'it is stopping and cut the request',
        cause: error,
        clientReason: details.slice(PRIVATE_API_CUT_PREFIX.length),
        isCut: true,
      });
    } else if (error.code === status.UNAUTHENTICATED) {
      exchange.break({
        message: details,
        fix: 'give every replica the same private API secret (privateApi.sharedSecretFile in kas.yaml)',
        failure: "it refused this replica's private API secret (KAS_PRIVATE_API_UNAUTHENTICATED)",
        cause: error,
      });
    } else if (error.code === status.UNIMPLEMENTED) {
      exchange.break({
        message: `it does not serve kas.privateapi.v2.ForwardService (${details}): it runs an older kas version`,
        fix: 'run the same kas version on every replica; during a rolling upgrade, requests between replicas of different versions are refused until it completes',
        failure: 'it runs another kas version (it does not serve kas.privateapi.v2.ForwardService)',
        cause: error,
      });
    } else {
      // grpc-js's details may name addresses (a connection error's): the user is told only what failed.
      exchange.break({
        message: details,
        fix: `check that ${this.where} is running and reachable from this replica, and that every replica has the same private API TLS settings (privateApi.tls in kas.yaml: certFile, keyFile and the caFile that signed every replica's certificate)`,
        failure:
          error.code === status.UNAVAILABLE
            ? 'this replica could not reach it, or lost the connection (a network or TLS failure)'
            : `the private API call to it failed (${status[error.code ?? status.UNKNOWN] ?? error.code})`,
        cause: error,
      });
    }
  };

  readonly #onEnd = (): void => {
    // 'end' comes after every reply was read (grpc-js reports the status as soon as it arrives, even
    // while replies wait behind backpressure); an error status came first as 'error'.
    const exchange = this.#exchange;
    this.#close();
    exchange?.breakUnanswered();
  };

  #violated(message: string): void {
    this.#exchange?.break({
      message,
      fix: 'run the same kas version on every replica',
      failure: 'it broke the private API protocol (another kas version?)',
    });
    this.cancel();
  }

  #close(): void {
    if (this.#state === 'closed') return;
    clearTimeout(this.#silenceTimer);
    clearTimeout(this.#answerTimer);
    this.#state = 'closed';
    this.owner.onClosed(this);
  }
}
