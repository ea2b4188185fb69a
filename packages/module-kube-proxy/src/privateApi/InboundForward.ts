import { Readable } from 'node:stream';
import { Metadata, type ServerDuplexStream, status } from '@grpc/grpc-js';
import {
  EMPTY_BODY,
  FORWARD_METADATA,
  FrameOrder,
  fromHeaderList,
  type RequestFrame,
  type RequestHead,
  type ResponseFrame,
  TUNNEL_ACQUIRED,
  type TunnelRegistry,
  type TunnelResponse,
  toHeaderList,
  UndecodableMessage,
} from '@kas/tunnel-protocol';

/** The server side of one Forward call. */
export type InboundCall = ServerDuplexStream<RequestFrame | UndecodableMessage, ResponseFrame>;

/** How a forwarded request ended, for the server's counters and log. */
export type InboundEnding = 'answered' | 'refused' | 'failed' | 'cancelled' | 'cut';

/** Where a forwarded request is: waiting for its head, for a tunnel, streaming, or over. */
type InboundState = 'head' | 'acquiring' | 'busy' | 'done';

/**
 * One request another replica forwarded here, seen from this replica: reads the request frames, takes an
 * idle tunnel of the agent, sends the request through it (the body with backpressure both ways), and
 * streams the answer back as response frames. When no tunnel can be had, the one answer is an error frame
 * whose code says why, so the caller tries another route. A cancelled call cancels the tunnel's request.
 */
export class InboundForward {
  readonly #order = new FrameOrder('request');
  readonly #abort = new AbortController();
  #state: InboundState = 'head';
  #requestBody: Readable | undefined;
  #responseBody: Readable | undefined;

  constructor(
    private readonly call: InboundCall,
    readonly agentId: string,
    private readonly registry: TunnelRegistry,
    private readonly tunnelWaitMs: number,
    private readonly onEnded: (forward: InboundForward, ending: InboundEnding, detail?: string) => void,
  ) {
    call.on('data', this.#onFrame);
    call.on('cancelled', this.#onCancelled);
  }

  /** Cuts the request now (the drain budget ended): the tunnel's request is cancelled, the caller gets UNAVAILABLE. */
  cut(why: string): void {
    if (this.#state === 'done') return;
    this.#end('cut', why);
    this.#abort.abort(new Error(why));
    this.#requestBody?.destroy();
    this.call.emit('error', { code: status.UNAVAILABLE, details: `cut by the private API: ${why}` });
  }

  readonly #onFrame = (frame: RequestFrame | UndecodableMessage): void => {
    if (this.#state === 'done') return;
    if (frame instanceof UndecodableMessage) {
      this.#refuseCall(frame.code, frame.message);
      return;
    }
    const violation = this.#order.accept(frame);
    if (violation !== undefined) {
      this.#refuseCall(violation.code, violation.message);
      return;
    }
    if (frame.head !== undefined) {
      if (!frame.end) this.#requestBody = new Readable({ read: () => this.call.resume() });
      void this.#send(frame.head);
    }
    if (frame.body.length > 0 && this.#requestBody?.push(frame.body) === false) this.call.pause();
    if (frame.end) this.#requestBody?.push(null);
  };

  readonly #onCancelled = (): void => {
    if (this.#state === 'done') return;
    this.#end('cancelled', 'the calling replica cancelled');
    this.#abort.abort(new Error('the calling replica cancelled the forwarded request'));
    this.#requestBody?.destroy();
    this.#responseBody?.destroy();
  };

  async #send(head: RequestHead): Promise<void> {
    this.#state = 'acquiring';
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
        signal: this.#abort.signal,
      });
      if (this.#isDone()) {
        await tunnel.roundTrip(requestOf(head), undefined, this.#abort.signal).catch(() => {});
        return;
      }
      this.#state = 'busy';
      this.call.sendMetadata(acquiredMetadata());
      response = await tunnel.roundTrip(requestOf(head), this.#requestBody, this.#abort.signal);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const isRefusal = this.#state === 'acquiring';
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

  #stream(response: TunnelResponse): void {
    const body = response.body;
    this.#responseBody = body;
    this.call.write({
      head: { status: response.status, headers: toHeaderList(response.headers) },
      body: EMPTY_BODY,
      end: false,
    });
    body.on('data', (chunk: Buffer) => {
      if (this.#state === 'done') return;
      if (!this.call.write({ body: chunk, end: false })) {
        body.pause();
        this.call.once('drain', () => body.resume());
      }
    });
    body.once('end', () => {
      if (this.#state === 'done') return;
      this.call.write({ body: EMPTY_BODY, end: true });
      this.#end('answered');
      this.call.end();
    });
    body.once('error', (error) => this.#answerError('KAS_TUNNEL_BROKEN', error.message, 'failed'));
  }

  #answerError(code: string, message: string, ending: InboundEnding): void {
    if (this.#state === 'done') return;
    this.call.write({ body: EMPTY_BODY, end: false, error: { code, message } });
    this.#end(ending, `${code}: ${message}`);
    this.#requestBody?.destroy();
    this.call.end();
  }

  #refuseCall(code: string, message: string): void {
    this.#end('failed', `${code}: ${message}`);
    this.#abort.abort(new Error(message));
    this.#requestBody?.destroy();
    this.#responseBody?.destroy();
    this.call.emit('error', { code: status.INVALID_ARGUMENT, details: `${code}: ${message}` });
  }

  /** Read through a method: the state changes while `#send` awaits, which narrowing cannot see. */
  #isDone(): boolean {
    return this.#state === 'done';
  }

  #end(ending: InboundEnding, detail?: string): void {
    this.#state = 'done';
    this.onEnded(this, ending, detail);
  }
}

function requestOf(head: RequestHead) {
  return { method: head.method, path: head.path, query: head.query, headers: fromHeaderList(head.headers) };
}

function acquiredMetadata(): Metadata {
  const metadata = new Metadata();
  metadata.set(FORWARD_METADATA.tunnel, TUNNEL_ACQUIRED);
  return metadata;
}
