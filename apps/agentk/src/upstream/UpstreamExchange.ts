import type { ClientRequest, IncomingMessage } from 'node:http';
import type { AgentMessage, RequestFrame, RequestHead } from '@kas/tunnel-protocol';
import type { AgentkErrorCode } from '../errors/errorCodes.js';
import { refusalOf } from './checkRequestHead.js';
import type { KubeApiUpstream } from './KubeApiUpstream.js';
import { ResponseFrameWriter } from './ResponseFrameWriter.js';
import { responseHeaders } from './responseHeaders.js';

/** The part of the tunnel's call an exchange uses. */
export interface ExchangeCall {
  write(message: AgentMessage): boolean;
  once(event: 'drain', listener: () => void): unknown;
  pause(): unknown;
  resume(): unknown;
}

/** Methods a request may be sent again with (RFC 9110 section 9.2.2), when it carried no body. */
const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'DELETE']);

/** How an exchange ended, for the tunnel's log and counts. */
export type ExchangeOutcome =
  | { readonly kind: 'served'; readonly status: number }
  | { readonly kind: 'failed'; readonly code: AgentkErrorCode; readonly message: string };

/**
 * One tunnelled request, seen from the agent: sends it to the Kubernetes API and streams both bodies,
 * each with backpressure (a slow kas pauses the upstream response; a slow upstream pauses the tunnel).
 */
export class UpstreamExchange {
  /** Undefined when the head was refused before a request could be made. */
  #request: ClientRequest | undefined;
  readonly #writer: ResponseFrameWriter;
  #response: IncomingMessage | undefined;
  #isDone = false;
  #isCancelled = false;
  /** Body bytes went upstream: the request can no longer be sent again. */
  #hasSentBody = false;
  #isRequestEnded = false;
  #hasRetried = false;

  constructor(
    private readonly call: ExchangeCall,
    private readonly upstream: KubeApiUpstream,
    private readonly head: RequestHead,
    private readonly onDone: (outcome: ExchangeOutcome) => void,
  ) {
    this.#writer = new ResponseFrameWriter(
      // A frame held for the end of the turn is dropped if kas cancelled meanwhile.
      (message) => this.#isCancelled || call.write(message),
      () => {
        this.#response?.pause();
        call.once('drain', () => this.#response?.resume());
      },
    );
    this.#request = this.#sendOrRefuse();
  }

  #sendOrRefuse(): ClientRequest | undefined {
    try {
      return this.#send();
    } catch (error) {
      const { code, message } = refusalOf(error);
      this.#fail(message, code);
      return undefined;
    }
  }

  #send(): ClientRequest {
    const request = this.upstream.request(this.head);
    request.on('response', (response) => this.#onResponse(response));
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (this.#shouldRetry(request, error)) {
        this.#hasRetried = true;
        this.#request = this.#sendOrRefuse();
        if (this.#isRequestEnded) this.#request?.end();
        return;
      }
      this.#fail(error.message);
    });
    return request;
  }

  /**
   * A keep-alive connection the API server closed as the request went out on it (its idle timeout ran
   * out at that moment) fails with ECONNRESET ("socket hang up") before any answer. An idempotent request
   * without a body goes again, once, on a new connection, as Go's HTTP client does (Node exposes
   * `reusedSocket` for this); others fail as before.
   */
  #shouldRetry(request: ClientRequest, error: NodeJS.ErrnoException): boolean {
    return (
      !this.#hasRetried &&
      !this.#isDone &&
      this.#response === undefined &&
      !this.#hasSentBody &&
      IDEMPOTENT_METHODS.has(this.head.method) &&
      request.reusedSocket &&
      error.code === 'ECONNRESET'
    );
  }

  /** Takes a request frame (the first one too): body pieces go upstream, the end ends the upstream request. */
  accept(frame: RequestFrame): void {
    const request = this.#request;
    if (this.#isDone || request === undefined) return;
    if (frame.body.length > 0) {
      this.#hasSentBody = true;
      if (!request.write(frame.body)) {
        this.call.pause();
        request.once('drain', () => this.call.resume());
      }
    }
    if (frame.end) {
      this.#isRequestEnded = true;
      request.end();
    }
  }

  /** kas cancelled the request (or the tunnel broke): abort it upstream. */
  cancel(): void {
    if (this.#isDone) return;
    this.#isDone = true;
    this.#isCancelled = true;
    this.#request?.destroy();
    this.#response?.destroy();
  }

  #onResponse(response: IncomingMessage): void {
    this.#response = response;
    this.#writer.head({ status: response.statusCode ?? 502, headers: responseHeaders(response, false) });
    response.on('data', (chunk: Buffer) => this.#writer.body(chunk));
    response.once('end', () => {
      if (this.#isDone) return;
      this.#isDone = true;
      this.#writer.end();
      this.onDone({ kind: 'served', status: response.statusCode ?? 502 });
    });
    response.once('close', () => {
      if (!response.complete) this.#fail('the response broke off');
    });
    response.on('error', () => {}); // 'close' reports it
  }

  #fail(
    message: string,
    code: AgentkErrorCode = this.#response === undefined ? 'UPSTREAM_UNREACHABLE' : 'UPSTREAM_ABORTED',
  ): void {
    if (this.#isDone) return;
    this.#writer.error(code, message);
    this.#isDone = true;
    this.onDone({ kind: 'failed', code, message });
  }
}
