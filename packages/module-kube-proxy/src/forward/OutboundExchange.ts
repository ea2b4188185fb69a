import { Readable } from 'node:stream';
import {
  EMPTY_BODY,
  type ForwardReply,
  type ForwardRequest,
  type ForwardTarget,
  FrameOrder,
  type FrameViolation,
  fromHeaderList,
  RequestBodyPump,
  type RequestFrame,
  type RequestFrameSink,
  type TunnelRequest,
  type TunnelResponse,
  toHeaderList,
} from '@kas/tunnel-protocol';
import { KubeProxyError } from '../errors/KubeProxyError.js';
import { AGENT_BROKE_OFF_REASON } from '../http/UpgradedConnection.js';
import type { StreamLoss } from './ForwardStream.js';

/**
 * Codes a callee answers with when it holds no usable tunnel: nothing was sent upstream. `KAS_TUNNEL_WAIT_TIMEOUT`:
 * the agent is connected there, but none of its tunnels became free within the wait.
 */
const REFUSAL_CODES = new Set(['KAS_TUNNEL_UNAVAILABLE', 'KAS_TUNNEL_WAIT_TIMEOUT', 'KAS_REPLICA_STOPPING']);

/** What a broken forward tells the user, without the callee's address (an exec session's close frame). */
const BROKEN_FORWARD_REASON = 'the connection to the replica holding the tunnel broke off: reconnect';

/**
 * An error of a forward, with whether the callee had sent the request upstream when it failed. Its
 * message, for the log, names the replica and its address; what the user is told does not.
 */
export type ForwardError = KubeProxyError & {
  readonly isDelivered: boolean;
  /** The callee's own error code and message, when it answered with an error frame. */
  readonly remoteCode?: string;
  readonly remoteMessage?: string;
  /** The message of the user's `Status`: what failed, no internal address in it. */
  readonly clientMessage: string;
  /** Why an upgraded connection ended, for its close frame: no internal address in it. */
  readonly clientReason: string;
  /** The callee cut the call at its stop. */
  readonly isCut?: boolean;
};

/** Why the call broke under an exchange: for the log and for the user, as a `StreamLoss` says it. */
export interface ForwardBreak extends StreamLoss {
  readonly cause?: unknown;
  /** For an upgraded connection's close frame, instead of the generic reason. */
  readonly clientReason?: string;
  readonly isCut?: boolean;
}

/** The part of a Forward call an exchange writes to and steers. */
export interface ExchangeCall {
  write(message: ForwardRequest): boolean;
  once(event: 'drain', listener: () => void): unknown;
  pause(): unknown;
  resume(): unknown;
}

/** How an exchange hands its call back. */
export interface ExchangeOwner {
  /** `replica "<id>" at <address>`, for messages. */
  readonly where: string;
  /**
   * The exchange is over. `isClean`: the request was sent whole (or failed before its body was asked
   * for) and the response ended, so the call may carry the next exchange; otherwise the call must end.
   */
  onExchangeDone(isClean: boolean): void;
  /** The exchange is abandoned: cancel the call, so the callee cancels upstream. */
  cancel(): void;
}

/**
 * One request forwarded to another replica, on one exchange of a pooled Forward call, seen from the
 * caller: sends the target and the head at once (a GET is one message), the body only once the callee
 * holds a tunnel (so a refused request can go elsewhere with its body untouched), receives the response
 * frames in order and hands the body on as a Readable that reads from the call only as fast as it is
 * consumed. Aborting `signal`, or destroying the body, cancels the call, and the callee cancels upstream.
 */
export class OutboundExchange {
  readonly head: Promise<TunnelResponse>;
  readonly #order = new FrameOrder('response');
  #resolveHead!: (response: TunnelResponse) => void;
  #rejectHead!: (error: unknown) => void;
  #body: Readable | undefined;
  #isDone = false;
  #isDelivered = false;
  #isRequestEnded: boolean;
  #pump: RequestBodyPump | undefined;
  readonly #isUpgradeRequest: boolean;
  /** An upgrade the callee answered 101: each direction ends on its own, the exchange when both have. */
  #isUpgraded = false;
  #isResponseEnded = false;
  readonly #agentId: string;

  constructor(
    private readonly call: ExchangeCall,
    private readonly owner: ExchangeOwner,
    target: ForwardTarget,
    request: TunnelRequest,
    private readonly requestBody: Readable | undefined,
    private readonly signal: AbortSignal,
  ) {
    this.head = new Promise<TunnelResponse>((resolve, reject) => {
      this.#resolveHead = resolve;
      this.#rejectHead = reject;
    });
    this.#agentId = target.agentId;
    this.#isRequestEnded = requestBody === undefined;
    this.#isUpgradeRequest = request.upgrade !== undefined;
    signal.addEventListener('abort', this.#onAbort, { once: true });
    const head = {
      method: request.method,
      path: request.path,
      query: request.query,
      headers: toHeaderList(request.headers),
      upgrade: request.upgrade ?? '',
    };
    call.write({ target, frame: { head, body: EMPTY_BODY, end: this.#isRequestEnded }, heartbeat: false });
  }

  /** Takes the next reply; returns what is wrong with it, if anything (the owner then ends the call). */
  accept(reply: ForwardReply): FrameViolation | undefined {
    if (this.#isDone) return undefined;
    if (reply.tunnelAcquired) {
      if (this.#isDelivered) return outOfOrder('a second tunnel_acquired in one exchange');
      this.#isDelivered = true;
      this.#startBody();
    }
    const frame = reply.frame;
    if (frame === undefined) {
      return reply.tunnelAcquired
        ? undefined
        : { code: 'KAS_FRAME_UNKNOWN', message: 'a reply with neither tunnel_acquired nor a frame' };
    }
    const violation = this.#order.accept(frame);
    if (violation !== undefined) return violation;
    if (frame.error !== undefined) {
      const isRefusal = !this.#isDelivered && REFUSAL_CODES.has(frame.error.code);
      this.#fail(this.#remoteError(frame.error.code, frame.error.message, isRefusal));
      // Before tunnel_acquired no body was sent: the callee expects the next exchange.
      this.owner.onExchangeDone(!this.#isDelivered || this.#isRequestEnded);
      return undefined;
    }
    if (frame.head !== undefined) {
      this.#isUpgraded = this.#isUpgradeRequest && frame.head.status === 101;
      const body = new Readable({
        // Once the exchange is over the call may carry the next one: this body no longer steers it.
        read: () => {
          if (!this.#isDone) this.call.resume();
        },
        destroy: (error, callback) => {
          // A body read to its end is destroyed too (autoDestroy): an upgraded connection's other half goes on.
          if (!this.#isDone && !body.readableEnded) {
            this.#abandon(
              this.#error('the consumer destroyed the response body', 'none', 'the answer was abandoned'),
            );
          }
          // As Node's IncomingMessage does: an error nobody listens for must not crash kas.
          callback(body.listenerCount('error') > 0 ? error : null);
        },
      });
      this.#body = body;
      this.#resolveHead({ status: frame.head.status, headers: fromHeaderList(frame.head.headers), body });
    }
    if (frame.body.length > 0 && !this.#body?.push(frame.body)) this.call.pause();
    if (frame.end) {
      if (this.#isUpgraded && !this.#isRequestEnded) {
        // The upstream half-closed; the client's half goes on until it ends.
        this.#isResponseEnded = true;
        this.#body?.push(null);
        return undefined;
      }
      this.#settle();
      this.#body?.push(null);
      this.owner.onExchangeDone(this.#isRequestEnded);
    }
    return undefined;
  }

  /** The call ended underneath the exchange: fails the pending head or the body. */
  break(why: ForwardBreak): void {
    if (this.#isDone) return;
    const error = this.#error(why.message, why.fix, why.failure, why.cause);
    if (why.clientReason !== undefined) Object.assign(error, { clientReason: why.clientReason });
    this.#fail(why.isCut === true ? Object.assign(error, { isCut: true }) : error);
  }

  /**
   * The callee ended the call with status OK before it answered: it is stopping (it ends idle calls at
   * once). Nothing reached the agent, so the request may go to another replica.
   */
  breakUnanswered(): void {
    if (this.#isDone) return;
    if (this.#isDelivered || this.#body !== undefined) {
      this.break({
        message: 'the call ended before the response did',
        fix: 'retry the request',
        failure: 'it ended the exchange before the answer was complete',
      });
      return;
    }
    this.#fail(
      this.#remoteError('KAS_REPLICA_STOPPING', 'the replica ended the call before answering', true),
    );
  }

  #startBody(): void {
    const body = this.requestBody;
    if (body === undefined || this.#pump !== undefined) return;
    const call = this.call;
    const sink: RequestFrameSink = {
      write: (frame: RequestFrame) => call.write({ frame, heartbeat: false }),
      once: (event, listener) => call.once(event, listener),
    };
    this.#pump = new RequestBodyPump(sink, body, {
      onEnd: () => {
        this.#isRequestEnded = true;
        if (this.#isUpgraded && this.#isResponseEnded && !this.#isDone) {
          this.#settle();
          this.owner.onExchangeDone(true);
        }
      },
      onError: (error) =>
        this.#abandon(
          this.#error(
            `the request body failed: ${error.message}`,
            'retry the request',
            'the request body could not be read',
            error,
          ),
        ),
    });
  }

  readonly #onAbort = (): void => {
    this.#abandon(this.signal.reason);
  };

  #remoteError(code: string, message: string, isRefusal: boolean): ForwardError {
    const error = new KubeProxyError(
      isRefusal ? 'KAS_FORWARD_REFUSED' : 'KAS_FORWARD_FAILED',
      `${this.owner.where} answered ${code}: ${message}`,
      isRefusal ? 'none: another route is tried' : "see that replica's log",
    );
    return Object.assign(error, {
      isDelivered: this.#isDelivered,
      remoteCode: code,
      remoteMessage: message,
      // The holder's own message, as it answers its own clients; a refusal's says where the agent is not.
      clientMessage: isRefusal
        ? `the kas replica the tunnel directory named for agent "${this.#agentId}" holds no usable tunnel for it (${code})`
        : `the kas replica holding agent "${this.#agentId}" answered ${code}: ${message}`,
      // The holder is there and says what broke: the agent's side (its own clients are told the same).
      clientReason: isRefusal ? BROKEN_FORWARD_REASON : AGENT_BROKE_OFF_REASON,
    });
  }

  /** A `KAS_FORWARD_FAILED`: `message` for the log (the replica and its address); `failure` for the user. */
  #error(message: string, fix: string, failure: string, cause?: unknown): ForwardError {
    const error = new KubeProxyError(
      'KAS_FORWARD_FAILED',
      `forwarding to ${this.owner.where} failed: ${message}`,
      fix,
      { cause },
    );
    return Object.assign(error, {
      isDelivered: this.#isDelivered,
      clientMessage: `forwarding the request to the kas replica holding agent "${this.#agentId}" failed: ${failure}; the details are in the kas log, for its operator`,
      clientReason: BROKEN_FORWARD_REASON,
    });
  }

  /** Fails the exchange and cancels the call, so the callee cancels upstream. */
  #abandon(reason: unknown): void {
    if (this.#isDone) return;
    this.#fail(reason);
    this.owner.cancel();
  }

  #fail(reason: unknown): void {
    this.#settle();
    if (this.#body === undefined) this.#rejectHead(reason);
    else if (!this.#body.destroyed)
      this.#body.destroy(reason instanceof Error ? reason : new Error(String(reason)));
  }

  #settle(): void {
    this.#isDone = true;
    this.signal.removeEventListener('abort', this.#onAbort);
    this.#pump?.stop();
  }
}

function outOfOrder(message: string): FrameViolation {
  return { code: 'KAS_FRAME_OUT_OF_ORDER', message: `forward replies out of order: ${message}` };
}
