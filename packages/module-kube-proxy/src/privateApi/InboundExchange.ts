import { Readable } from 'node:stream';
import { formatDuration } from '@kas/core';
import {
  EMPTY_BODY,
  type ForwardReply,
  FrameOrder,
  type FrameViolation,
  fromHeaderList,
  type RequestFrame,
  type RequestHead,
  type TunnelRegistry,
  type TunnelRequest,
  type TunnelResponse,
  toHeaderList,
} from '@kas/tunnel-protocol';
import { ResponseFrameBatcher } from './ResponseFrameBatcher.js';

/** How a forwarded request ended, for the server's counters and log. */
export type InboundEnding = 'answered' | 'refused' | 'failed' | 'cancelled' | 'cut';

/** Where an exchange's response is: waiting for a tunnel, streaming, or over. */
type InboundState = 'acquiring' | 'busy' | 'done';

/** The part of a Forward call an exchange writes to and steers. */
export interface InboundCall {
  write(reply: ForwardReply): boolean;
  once(event: 'drain', listener: () => void): unknown;
  pause(): unknown;
  resume(): unknown;
}

/** How an exchange hands its call back. */
export interface InboundExchangeOwner {
  /** The response is over (answered, refused, failed, cancelled or cut): for counters and the log. */
  onResponseEnded(exchange: InboundExchange, ending: InboundEnding, detail?: string): void;
  /**
   * The exchange is over both ways: the response ended, and the request ended too (or was refused before
   * its body). The call may carry the next exchange.
   */
  onExchangeOver(exchange: InboundExchange): void;
}

/**
 * One request another replica forwarded here, on one exchange of a Forward call, seen from this replica:
 * takes an idle tunnel of the agent, sends the request through it (the body with backpressure both ways),
 * and streams the answer back as reply frames. When no tunnel can be had, the one answer is an error
 * frame whose code says why, so the caller tries another route. Cancelling it cancels the tunnel's request.
 * Once the response is over, request frames still on their way (the caller had sent them before it saw
 * the end) are read and dropped until the request's end.
 */
export class InboundExchange {
  readonly #order = new FrameOrder('request');
  #state: InboundState = 'acquiring';
  #isAcquiredSent = false;
  #isCancelled = false;
  #isRequestEnded: boolean;
  #requestBody: Readable | undefined;
  #responseBody: Readable | undefined;
  #frames: ResponseFrameBatcher | undefined;
  /** An upgrade the agent answered 101 whose upstream half ended: the client's half still flows. */
  #isUpgradedHalfOpen = false;

  constructor(
    private readonly call: InboundCall,
    readonly agentId: string,
    private readonly registry: TunnelRegistry,
    private readonly tunnelWaitMs: number,
    private readonly owner: InboundExchangeOwner,
    private readonly first: RequestFrame,
    /**
     * The call's controller, shared by its exchanges: a cancelled exchange ends its call, so aborting it
     * touches no other exchange, and a call carries many exchanges without a controller each.
     */
    private readonly callAbort: AbortController,
  ) {
    // The owner checked the first frame's order (it has a head); this only advances past it.
    this.#order.accept(first);
    this.#isRequestEnded = first.end;
    if (!first.end) this.#requestBody = new Readable({ read: () => this.call.resume() });
  }

  /** Takes a tunnel and sends the request; the owner may hear of its end before this returns. */
  start(): void {
    void this.#send(this.first.head as RequestHead);
  }

  /** Takes the next request frame; returns what is wrong with it, if anything (the owner then ends the call). */
  accept(frame: RequestFrame): FrameViolation | undefined {
    const violation = this.#order.accept(frame);
    if (violation !== undefined) return violation;
    if (this.#state === 'done') {
      if (frame.end) this.#requestEnded();
      return undefined;
    }
    if (!this.#isAcquiredSent) {
      return {
        code: 'KAS_FRAME_OUT_OF_ORDER',
        message: 'request frames out of order: a body before tunnel_acquired',
      };
    }
    if (frame.body.length > 0 && this.#requestBody?.push(frame.body) === false) this.call.pause();
    if (frame.end) {
      this.#requestBody?.push(null);
      this.#requestEnded();
    }
    return undefined;
  }

  /** True once the request's end arrived (or it was refused before its body). */
  get isRequestEnded(): boolean {
    return this.#isRequestEnded;
  }

  /** Cuts the request now (the drain budget ended, or the call broke): the tunnel's request is cancelled. */
  cancel(ending: 'cancelled' | 'cut' | 'failed', why: string): void {
    if (this.#state === 'done') return;
    this.#isCancelled = true;
    this.#frames?.discard();
    this.#end(ending, why);
    this.callAbort.abort(new Error(why));
    this.#requestBody?.destroy();
    this.#responseBody?.destroy();
  }

  async #send(head: RequestHead): Promise<void> {
    if (!this.registry.hasAgent(this.agentId)) {
      this.#answerError(
        'KAS_TUNNEL_UNAVAILABLE',
        `agent "${this.agentId}" has no tunnel on this replica`,
        'refused',
      );
      return;
    }
    let response: TunnelResponse;
    try {
      const tunnel = await this.registry.acquire(this.agentId, {
        timeoutMs: Math.max(1, this.tunnelWaitMs),
        signal: this.callAbort.signal,
      });
      if (this.#isDone()) {
        await tunnel.roundTrip(requestOf(head), undefined, this.callAbort.signal).catch(() => {});
        return;
      }
      this.#state = 'busy';
      // With the request whole already, the first response frame says so; a body waits for this word.
      if (!this.#isRequestEnded) this.#sendAcquired();
      response = await tunnel.roundTrip(requestOf(head), this.#requestBody, this.callAbort.signal);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const isRefusal = this.#state === 'acquiring';
      if (isRefusal && code === 'KAS_TUNNEL_UNAVAILABLE' && this.registry.hasAgent(this.agentId)) {
        // The agent is here but every tunnel stayed busy: the caller answers as this replica would
        // (504 Timeout), not as for an agent that moved.
        this.#answerError(
          'KAS_TUNNEL_WAIT_TIMEOUT',
          `agent "${this.agentId}" is connected, but none of its tunnels became free within ${formatDuration(this.tunnelWaitMs)}`,
          'refused',
        );
        return;
      }
      this.#answerError(
        typeof code === 'string' ? code : 'KAS_FORWARD_FAILED',
        (error as Error).message ?? String(error),
        isRefusal ? 'refused' : 'failed',
      );
      return;
    }
    if (this.#isDone()) {
      response.body.destroy();
      return;
    }
    this.#stream(response);
  }

  #sendAcquired(): void {
    this.#isAcquiredSent = true;
    this.call.write({ tunnelAcquired: true, heartbeat: false });
  }

  #stream(response: TunnelResponse): void {
    const body = response.body;
    this.#responseBody = body;
    const resume = () => body.resume();
    const frames = new ResponseFrameBatcher(
      (frame) => this.#write(frame),
      () => {
        body.pause();
        this.call.once('drain', resume);
      },
    );
    this.#frames = frames;
    frames.head({ status: response.status, headers: toHeaderList(response.headers) });
    body.on('data', (chunk: Buffer) => {
      if (this.#state !== 'done') frames.chunk(chunk);
    });
    body.once('end', () => {
      if (this.#state === 'done') return;
      frames.end();
      const isUpgraded = response.status === 101 && (this.first.head?.upgrade ?? '') !== '';
      if (isUpgraded && !this.#isRequestEnded) {
        this.#isUpgradedHalfOpen = true;
        return;
      }
      this.#end('answered');
    });
    body.once('error', (error) => this.#answerError('KAS_TUNNEL_BROKEN', error.message, 'failed'));
  }

  /** Writes a response frame, with `tunnel_acquired` on the first when it was not sent alone. */
  #write(frame: ForwardReply['frame']): boolean {
    if (this.#isAcquiredSent) return this.call.write({ tunnelAcquired: false, frame, heartbeat: false });
    this.#isAcquiredSent = true;
    return this.call.write({ tunnelAcquired: true, frame, heartbeat: false });
  }

  #answerError(code: string, message: string, ending: InboundEnding): void {
    if (this.#state === 'done') return;
    const frame = { body: EMPTY_BODY, end: false, error: { code, message } };
    this.#frames?.discard();
    this.#requestBody?.destroy();
    if (this.#state === 'acquiring') {
      // Refused before a tunnel was had: no tunnel_acquired, and the caller sends nothing more of this request.
      this.call.write({ tunnelAcquired: false, frame, heartbeat: false });
      this.#isRequestEnded = true;
    } else this.#write(frame);
    this.#end(ending, `${code}: ${message}`);
  }

  /** Read through a method: the state changes while `#send` awaits, which narrowing cannot see. */
  #isDone(): boolean {
    return this.#state === 'done';
  }

  #end(ending: InboundEnding, detail?: string): void {
    this.#state = 'done';
    this.owner.onResponseEnded(this, ending, detail);
    // A cancelled exchange ends its call with it; only one that ended by its frames leaves the call idle.
    if (this.#isRequestEnded && !this.#isCancelled) this.owner.onExchangeOver(this);
  }

  #requestEnded(): void {
    this.#isRequestEnded = true;
    if (this.#isUpgradedHalfOpen && this.#state !== 'done') this.#end('answered');
    else if (this.#state === 'done') this.owner.onExchangeOver(this);
  }
}

function requestOf(head: RequestHead): TunnelRequest {
  return {
    method: head.method,
    path: head.path,
    query: head.query,
    headers: fromHeaderList(head.headers),
    ...(head.upgrade === '' ? {} : { upgrade: head.upgrade }),
  };
}
