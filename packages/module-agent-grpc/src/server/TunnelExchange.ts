import { Readable } from 'node:stream';
import type { AgentMessage, RequestFrame, TunnelRequest, TunnelResponse } from '@kas/tunnel-protocol';
import {
  EMPTY_BODY,
  FrameOrder,
  type FrameViolation,
  fromHeaderList,
  RequestBodyPump,
  toHeaderList,
} from '@kas/tunnel-protocol';
import { AgentGrpcError } from '../errors/AgentGrpcError.js';
import type { AgentGrpcErrorCode } from '../errors/errorCodes.js';
import { checkResponseHead } from './checkResponseHead.js';

/** What is wrong with a response frame: its code leads the details of the status that ends the tunnel. */
export interface ResponseViolation {
  readonly code: FrameViolation['code'] | Extract<AgentGrpcErrorCode, 'KAS_RESPONSE_INVALID'>;
  readonly message: string;
}

/** How much of an agent's error message is kept (logs, the client's Status): it is the agent's text. */
const ERROR_MESSAGE_KEPT = 1_000;

/** The part of a gRPC call an exchange writes to and reads from. */
export interface ExchangeCall {
  write(frame: RequestFrame): boolean;
  once(event: 'drain', listener: () => void): unknown;
  pause(): unknown;
  resume(): unknown;
}

/** How an exchange ends its tunnel. */
export interface ExchangeOwner {
  readonly agentId: string;
  /**
   * The exchange is over on both sides: the request was sent whole and the response ended. The tunnel
   * may carry the next request.
   */
  onExchangeDone(): void;
  /** The exchange ended otherwise (an error frame, or the response ended before the request did): end the call with status OK. */
  finish(): void;
  /** The request is abandoned: end the call with CANCELLED so the agent cancels upstream. */
  cancel(why: string): void;
}

/**
 * One request on one tunnel, seen from kas: sends the request's frames (the body with backpressure),
 * receives the response's frames in order, and hands the body on as a Readable that asks the agent for
 * more only as it is read.
 */
export class TunnelExchange {
  readonly #order = new FrameOrder('response');
  #resolveHead!: (response: TunnelResponse) => void;
  #rejectHead!: (error: unknown) => void;
  readonly head: Promise<TunnelResponse>;
  #body: Readable | undefined;
  #isDone = false;
  #isRequestSent = false;
  #pump: RequestBodyPump | undefined;
  /** An upgrade request that the agent answered 101: each direction ends on its own (half-close). */
  #isUpgraded = false;
  #isResponseEnded = false;
  #isUpgradeRequest = false;
  #method = 'GET';
  /** Body bytes still to come by the response's `Content-Length`; undefined when it is not sized. */
  #bodyLeft: number | undefined;
  #bodyLength = 0;
  #isAnswered = false;

  constructor(
    private readonly call: ExchangeCall,
    private readonly owner: ExchangeOwner,
    private readonly signal: AbortSignal,
  ) {
    this.head = new Promise<TunnelResponse>((resolve, reject) => {
      this.#resolveHead = resolve;
      this.#rejectHead = reject;
    });
    this.signal.addEventListener('abort', this.#onAbort, { once: true });
  }

  /**
   * Sends the request; a GET (no body) is a single frame. For an upgrade, `body` is the client's side of
   * the connection: its bytes go to the agent as they come, before and after the switch.
   */
  send(request: TunnelRequest, body: Readable | undefined): void {
    if (this.signal.aborted) {
      this.#onAbort();
      return;
    }
    this.#isUpgradeRequest = request.upgrade !== undefined;
    this.#method = request.method;
    const head = {
      method: request.method,
      path: request.path,
      query: request.query,
      headers: toHeaderList(request.headers),
      upgrade: request.upgrade ?? '',
    };
    this.call.write({ head, body: EMPTY_BODY, end: body === undefined });
    if (body === undefined) this.#isRequestSent = true;
    else
      this.#pump = new RequestBodyPump(this.call, body, {
        onEnd: () => {
          this.#isRequestSent = true;
          // An upgraded connection whose upstream half-closed first is over once the client's half ends.
          if (this.#isUpgraded && this.#isResponseEnded) this.#finishUpgraded();
        },
        onError: (error) => this.#abandon(`the request body failed: ${error.message}`, error),
      });
  }

  /** True once the agent sent a frame of the response (a head, a body, an end or an error). */
  get isAnswered(): boolean {
    return this.#isAnswered;
  }

  /** Takes the next response frame; returns what is wrong with it, if anything (the owner then ends the tunnel). */
  accept(frame: AgentMessage): ResponseViolation | undefined {
    this.#isAnswered = true;
    const violation = this.#order.accept(frame);
    if (violation !== undefined) return violation;
    if (frame.error !== undefined) {
      const message =
        frame.error.message.length > ERROR_MESSAGE_KEPT
          ? `${frame.error.message.slice(0, ERROR_MESSAGE_KEPT)}… (${frame.error.message.length} characters)`
          : frame.error.message;
      this.#fail(
        new AgentGrpcError(
          'KAS_AGENT_REQUEST_FAILED',
          `agent "${this.owner.agentId}" could not serve the request: ${frame.error.code.slice(0, 100)}: ${message}`,
          "see the agent's log; check that its Kubernetes API URL is reachable from the agent",
        ),
      );
      this.owner.finish();
      return undefined;
    }
    if (frame.head !== undefined) {
      const headers = fromHeaderList(frame.head.headers);
      const checked = checkResponseHead(
        { status: frame.head.status, headers },
        { method: this.#method, isUpgrade: this.#isUpgradeRequest },
      );
      if (typeof checked === 'string')
        return { code: 'KAS_RESPONSE_INVALID', message: `response head refused: ${checked}` };
      this.#bodyLeft = checked.bodyLength;
      this.#bodyLength = checked.bodyLength ?? 0;
      // Checked before the head goes out: a head whose own frame breaks its Content-Length is refused
      // whole (the client gets a 502), not handed on with a body that is already broken.
      const lengthViolation = this.#takeBodyLength(frame);
      if (lengthViolation !== undefined) return lengthViolation;
      this.#isUpgraded = this.#isUpgradeRequest && frame.head.status === 101;
      const body = new Readable({
        // Once the exchange is over the call may carry the next one: this body no longer steers it.
        read: () => {
          if (!this.#isDone) this.call.resume();
        },
        destroy: (error, callback) => {
          // A body read to its end is destroyed too (autoDestroy): an upgraded connection's other half goes on.
          if (!this.#isDone && !body.readableEnded) this.#abandon('the consumer destroyed the response body');
          // As Node's IncomingMessage does: an error nobody listens for must not crash kas.
          callback(body.listenerCount('error') > 0 ? error : null);
        },
      });
      this.#body = body;
      this.#resolveHead({ status: frame.head.status, headers, body: this.#body });
    } else {
      const lengthViolation = this.#takeBodyLength(frame);
      if (lengthViolation !== undefined) return lengthViolation;
    }
    if (frame.body.length > 0 && !this.#body?.push(frame.body)) this.call.pause();
    if (frame.end) {
      if (this.#isUpgraded && !this.#isRequestSent) {
        // The upstream half-closed; the client may still send until it ends its half.
        this.#isResponseEnded = true;
        this.#body?.push(null);
        return undefined;
      }
      this.#settle();
      this.#body?.push(null);
      if (this.#isRequestSent) this.owner.onExchangeDone();
      else this.owner.finish();
    }
    return undefined;
  }

  /**
   * Counts a frame's body against the response's `Content-Length`, before the bytes reach the client: past
   * it they would be read as the start of the next answer on the client's keep-alive connection.
   */
  #takeBodyLength(frame: AgentMessage): ResponseViolation | undefined {
    if (this.#bodyLeft === undefined) return undefined;
    if (frame.body.length > this.#bodyLeft)
      return {
        code: 'KAS_RESPONSE_INVALID',
        message: `the response body is longer than its Content-Length (${this.#bodyLength} bytes)`,
      };
    this.#bodyLeft -= frame.body.length;
    if (frame.end && this.#bodyLeft > 0)
      return {
        code: 'KAS_RESPONSE_INVALID',
        message: `the response body ended ${this.#bodyLeft} byte(s) short of its Content-Length (${this.#bodyLength} bytes)`,
      };
    return undefined;
  }

  #finishUpgraded(): void {
    if (this.#isDone) return;
    this.#settle();
    this.owner.onExchangeDone();
  }

  /** The tunnel ended underneath the exchange: fails the pending head or the body with `error`. */
  break(error: Error): void {
    if (!this.#isDone) this.#fail(error);
  }

  /** True while the exchange is an upgraded connection (answered 101) that has not ended both ways. */
  get isUpgraded(): boolean {
    return this.#isUpgraded && !this.#isDone;
  }

  readonly #onAbort = (): void => {
    this.#abandon('the request was aborted', this.signal.reason);
  };

  #abandon(why: string, reason?: unknown): void {
    if (this.#isDone) return;
    this.#fail(
      reason ??
        new AgentGrpcError(
          'KAS_TUNNEL_BROKEN',
          `request to agent "${this.owner.agentId}" abandoned: ${why}`,
          'none',
        ),
    );
    this.owner.cancel(why);
  }

  #fail(error: unknown): void {
    this.#settle();
    if (this.#body === undefined) this.#rejectHead(error);
    else if (!this.#body.destroyed && !this.#body.readableEnded)
      this.#body.destroy(error instanceof Error ? error : new Error(String(error)));
  }

  #settle(): void {
    this.#isDone = true;
    this.signal.removeEventListener('abort', this.#onAbort);
    this.#pump?.stop();
  }
}
