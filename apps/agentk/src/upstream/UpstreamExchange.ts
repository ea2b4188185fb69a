import type { ClientRequest, IncomingMessage } from 'node:http';
import type { AgentMessage, RequestFrame, RequestHead } from '@kas/tunnel-protocol';
import type { AgentkErrorCode } from '../errors/errorCodes.js';
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

/** How an exchange ended, for the tunnel's log and counts. */
export type ExchangeOutcome =
  | { readonly kind: 'served'; readonly status: number }
  | { readonly kind: 'failed'; readonly code: AgentkErrorCode; readonly message: string };

/**
 * One tunnelled request, seen from the agent: sends it to the Kubernetes API and streams both bodies,
 * each with backpressure (a slow kas pauses the upstream response; a slow upstream pauses the tunnel).
 */
export class UpstreamExchange {
  readonly #request: ClientRequest;
  readonly #writer: ResponseFrameWriter;
  #response: IncomingMessage | undefined;
  #isDone = false;
  #isCancelled = false;

  constructor(
    private readonly call: ExchangeCall,
    upstream: KubeApiUpstream,
    head: RequestHead,
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
    this.#request = upstream.request(head);
    this.#request.on('response', (response) => this.#onResponse(response));
    this.#request.on('error', (error) => this.#fail(error.message));
  }

  /** Takes a request frame (the first one too): body pieces go upstream, the end ends the upstream request. */
  accept(frame: RequestFrame): void {
    if (this.#isDone) return;
    if (frame.body.length > 0 && !this.#request.write(frame.body)) {
      this.call.pause();
      this.#request.once('drain', () => this.call.resume());
    }
    if (frame.end) this.#request.end();
  }

  /** kas cancelled the request (or the tunnel broke): abort it upstream. */
  cancel(): void {
    if (this.#isDone) return;
    this.#isDone = true;
    this.#isCancelled = true;
    this.#request.destroy();
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

  #fail(message: string): void {
    if (this.#isDone) return;
    const code = this.#response === undefined ? 'UPSTREAM_UNREACHABLE' : 'UPSTREAM_ABORTED';
    this.#writer.error(code, message);
    this.#isDone = true;
    this.onDone({ kind: 'failed', code, message });
  }
}
