import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { RequestFrame, RequestHead } from '@kas/tunnel-protocol';
import type { AgentkErrorCode } from '../errors/errorCodes.js';
import { refusalOf } from './checkRequestHead.js';
import type { KubeApiUpstream } from './KubeApiUpstream.js';
import { ResponseFrameWriter } from './ResponseFrameWriter.js';
import { responseHeaders } from './responseHeaders.js';
import type { ExchangeCall, ExchangeOutcome } from './UpstreamExchange.js';

/**
 * Client bytes held while the upstream has not switched yet; beyond this the tunnel is paused until it
 * answers, so a client that streams without waiting for the `101` is held back instead of buffered.
 */
export const EARLY_BYTES_LIMIT = 64 * 1024;

/**
 * One upgraded connection (kubectl exec, attach, cp, port-forward), seen from the agent: asks the
 * Kubernetes API to switch protocols, relays its `101` as the response head, then carries raw bytes both
 * ways with backpressure: request body frames to the upstream socket, the socket's bytes as response body
 * frames. Each side's end is a half-close; the exchange is served once the upstream ended its half. An
 * answer other than `101` is relayed as an ordinary response.
 */
export class UpgradeExchange {
  /** Undefined when the head was refused before a request could be made. */
  readonly #request: ClientRequest | undefined;
  readonly #writer: ResponseFrameWriter;
  #socket: Socket | undefined;
  #response: IncomingMessage | undefined;
  /** Client bytes that came before the upstream switched (a client should wait, but may not). */
  #early: Buffer[] | undefined = [];
  #earlyBytes = 0;
  /** The tunnel is paused because the early bytes reached `EARLY_BYTES_LIMIT`. */
  #isHoldingCall = false;
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
    this.#request = this.#start(upstream, head);
  }

  /** Client bytes held until the upstream switches, for tests and stats. */
  get earlyBytes(): number {
    return this.#earlyBytes;
  }

  #start(upstream: KubeApiUpstream, head: RequestHead): ClientRequest | undefined {
    let request: ClientRequest;
    try {
      request = upstream.request(head);
    } catch (error) {
      const { code, message } = refusalOf(error);
      this.#fail(message, code);
      return undefined;
    }
    request.on('upgrade', (response, socket: Socket, rest: Buffer) =>
      this.#onUpgrade(response, socket, rest),
    );
    request.on('response', (response) => this.#onResponse(response));
    request.on('error', (error) => this.#fail(error.message));
    request.end();
    return request;
  }

  /** Takes a request frame: the client's bytes go to the upstream socket, its end half-closes it. */
  accept(frame: RequestFrame): void {
    if (this.#isCancelled || this.#request === undefined) return;
    if (frame.end) this.#isRequestEnded = true;
    const socket = this.#socket;
    if (socket === undefined) {
      if (frame.body.length > 0) this.#holdEarly(frame.body);
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
    this.#request?.destroy();
    this.#socket?.destroy();
    this.#response?.destroy();
  }

  #holdEarly(body: Uint8Array): void {
    const early = this.#early;
    if (early === undefined) return; // answered without switching: the bytes have nowhere to go
    early.push(Buffer.from(body));
    this.#earlyBytes += body.length;
    if (this.#earlyBytes >= EARLY_BYTES_LIMIT && !this.#isHoldingCall) {
      this.#isHoldingCall = true;
      this.call.pause();
    }
  }

  /** Ends the wait for the switch: the held bytes go to `socket` (or are dropped), and the tunnel reads on. */
  #releaseEarly(socket: Socket | undefined): void {
    const early = this.#early ?? [];
    this.#early = undefined;
    this.#earlyBytes = 0;
    let isFull = false;
    if (socket !== undefined) for (const chunk of early) isFull = !socket.write(chunk);
    if (!this.#isHoldingCall) return;
    this.#isHoldingCall = false;
    if (isFull && socket !== undefined) socket.once('drain', () => this.call.resume());
    else this.call.resume();
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
    this.#releaseEarly(socket);
    if (this.#isRequestEnded) socket.end();
  }

  #onResponse(response: IncomingMessage): void {
    this.#response = response;
    this.#releaseEarly(undefined);
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

  #fail(
    message: string,
    code: AgentkErrorCode = this.#socket === undefined && this.#response === undefined
      ? 'UPSTREAM_UNREACHABLE'
      : 'UPSTREAM_ABORTED',
  ): void {
    if (this.#isDone) return;
    this.#releaseEarly(undefined);
    this.#writer.error(code, message);
    this.#isDone = true;
    this.#socket?.destroy();
    this.onDone({ kind: 'failed', code, message });
  }
}
