import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { RequestFrame, RequestHead } from '@kas/tunnel-protocol';
import type { KubeApiUpstream } from './KubeApiUpstream.js';
import { ResponseFrameWriter } from './ResponseFrameWriter.js';
import { responseHeaders } from './responseHeaders.js';
import type { ExchangeCall, ExchangeOutcome } from './UpstreamExchange.js';

/**
 * One upgraded connection (kubectl exec, attach, cp, port-forward), seen from the agent: asks the
 * Kubernetes API to switch protocols, relays its `101` as the response head, then carries raw bytes both
 * ways with backpressure: request body frames to the upstream socket, the socket's bytes as response body
 * frames. Each side's end is a half-close; the exchange is served once the upstream ended its half. An
 * answer other than `101` is relayed as an ordinary response.
 */
export class UpgradeExchange {
  readonly #request: ClientRequest;
  readonly #writer: ResponseFrameWriter;
  #socket: Socket | undefined;
  #response: IncomingMessage | undefined;
  /** Client bytes that came before the upstream switched (a client should wait, but may not). */
  #early: Buffer[] | undefined = [];
  #isRequestEnded = false;
  #isDone = false;
  #isCancelled = false;

  constructor(
    private readonly call: ExchangeCall,
    upstream: KubeApiUpstream,
    head: RequestHead,
    private readonly onDone: (outcome: ExchangeOutcome) => void,
  ) {
    this.#writer = new ResponseFrameWriter(
      (message) => this.#isCancelled || call.write(message),
      () => {
        const source = this.#socket ?? this.#response;
        source?.pause();
        call.once('drain', () => source?.resume());
      },
    );
    this.#request = upstream.request(head);
    this.#request.on('upgrade', (response, socket: Socket, rest: Buffer) =>
      this.#onUpgrade(response, socket, rest),
    );
    this.#request.on('response', (response) => this.#onResponse(response));
    this.#request.on('error', (error) => this.#fail(error.message));
    this.#request.end();
  }

  /** Takes a request frame: the client's bytes go to the upstream socket, its end half-closes it. */
  accept(frame: RequestFrame): void {
    if (this.#isCancelled) return;
    if (frame.end) this.#isRequestEnded = true;
    const socket = this.#socket;
    if (socket === undefined) {
      if (frame.body.length > 0) this.#early?.push(Buffer.from(frame.body));
      return;
    }
    if (frame.body.length > 0 && !socket.write(frame.body)) {
      this.call.pause();
      socket.once('drain', () => this.call.resume());
    }
    if (frame.end) socket.end();
  }

  /** kas cancelled the connection (or the tunnel broke): cut it upstream. */
  cancel(): void {
    if (this.#isCancelled) return;
    this.#isDone = true;
    this.#isCancelled = true;
    this.#request.destroy();
    this.#socket?.destroy();
    this.#response?.destroy();
  }

  #onUpgrade(response: IncomingMessage, socket: Socket, rest: Buffer): void {
    if (this.#isCancelled) {
      socket.destroy();
      return;
    }
    this.#socket = socket;
    // The client's and the upstream's halves close independently, as they do end to end.
    socket.allowHalfOpen = true;
    socket.setNoDelay(true);
    this.#writer.head({ status: 101, headers: responseHeaders(response, true) });
    if (rest.length > 0) this.#writer.body(rest);
    socket.on('data', (chunk: Buffer) => this.#writer.body(chunk));
    socket.once('end', () => {
      if (this.#isDone) return;
      this.#isDone = true;
      this.#writer.end();
      this.onDone({ kind: 'served', status: 101 });
    });
    socket.once('close', (hadError) => {
      if (!this.#isDone) this.#fail(hadError ? 'the upgraded connection broke' : 'the upstream closed');
    });
    socket.on('error', () => {}); // 'close' reports it
    for (const chunk of this.#early ?? []) socket.write(chunk);
    this.#early = undefined;
    if (this.#isRequestEnded) socket.end();
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
    response.on('error', () => {});
  }

  #fail(message: string): void {
    if (this.#isDone) return;
    const code =
      this.#socket === undefined && this.#response === undefined
        ? 'UPSTREAM_UNREACHABLE'
        : 'UPSTREAM_ABORTED';
    this.#writer.error(code, message);
    this.#isDone = true;
    this.#socket?.destroy();
    this.onDone({ kind: 'failed', code, message });
  }
}
