import { Readable } from 'node:stream';
import { type ClientDuplexStream, type Metadata, status } from '@grpc/grpc-js';
import {
  EMPTY_BODY,
  FORWARD_METADATA,
  FrameOrder,
  fromHeaderList,
  RequestBodyPump,
  type RequestFrame,
  type ResponseFrame,
  TUNNEL_ACQUIRED,
  type TunnelRequest,
  type TunnelResponse,
  toHeaderList,
  UndecodableMessage,
} from '@kas/tunnel-protocol';
import { KubeProxyError } from '../errors/KubeProxyError.js';

/** The client side of one Forward call. */
export type ForwardCall = ClientDuplexStream<RequestFrame, ResponseFrame | UndecodableMessage>;

/** Codes a callee answers with when it holds no usable tunnel: nothing was sent upstream. */
const REFUSAL_CODES = new Set(['KAS_TUNNEL_UNAVAILABLE', 'KAS_REPLICA_STOPPING']);

/** An error of a forward, with whether the callee had sent the request upstream when it failed. */
export type ForwardError = KubeProxyError & { readonly isDelivered: boolean };

/**
 * One request forwarded to another replica, seen from the caller: sends the head at once (a GET is one
 * frame), the body only once the callee holds a tunnel (so a refused request can go elsewhere with its
 * body untouched), receives the response frames in order and hands the body on as a Readable that reads
 * from the call only as fast as it is consumed. Aborting `signal`, or destroying the body, cancels the
 * call, and the callee cancels upstream.
 */
export class OutboundForward {
  readonly head: Promise<TunnelResponse>;
  readonly #order = new FrameOrder('response');
  #resolveHead!: (response: TunnelResponse) => void;
  #rejectHead!: (error: unknown) => void;
  #body: Readable | undefined;
  #isDone = false;
  #isDelivered = false;
  #pump: RequestBodyPump | undefined;

  constructor(
    private readonly call: ForwardCall,
    private readonly where: string,
    request: TunnelRequest,
    private readonly requestBody: Readable | undefined,
    private readonly signal: AbortSignal,
  ) {
    this.head = new Promise<TunnelResponse>((resolve, reject) => {
      this.#resolveHead = resolve;
      this.#rejectHead = reject;
    });
    call.on('metadata', this.#onMetadata);
    call.on('data', this.#onFrame);
    call.on('error', this.#onCallError);
    call.on('end', this.#onCallEnd);
    signal.addEventListener('abort', this.#onAbort, { once: true });
    const head = {
      method: request.method,
      path: request.path,
      query: request.query,
      headers: toHeaderList(request.headers),
    };
    call.write({ head, body: EMPTY_BODY, end: requestBody === undefined });
    if (requestBody === undefined) call.end();
    if (signal.aborted) this.#onAbort();
  }

  readonly #onMetadata = (metadata: Metadata): void => {
    if (metadata.get(FORWARD_METADATA.tunnel)[0] !== TUNNEL_ACQUIRED) return;
    this.#isDelivered = true;
    const body = this.requestBody;
    if (body === undefined || this.#isDone) return;
    this.#pump = new RequestBodyPump(this.call, body, {
      onEnd: () => this.call.end(),
      onError: (error) =>
        this.#abandon(this.#error(`the request body failed: ${error.message}`, 'retry the request', error)),
    });
  };

  readonly #onFrame = (frame: ResponseFrame | UndecodableMessage): void => {
    if (this.#isDone) return;
    if (frame instanceof UndecodableMessage) {
      this.#abandon(
        this.#error(`${frame.code}: ${frame.message}`, 'run the same kas version on every replica'),
      );
      return;
    }
    const violation = this.#order.accept(frame);
    if (violation !== undefined) {
      this.#abandon(
        this.#error(`${violation.code}: ${violation.message}`, 'run the same kas version on every replica'),
      );
      return;
    }
    if (frame.error !== undefined) {
      this.#fail(this.#remoteError(frame.error.code, frame.error.message));
      return;
    }
    if (frame.head !== undefined) {
      const body = new Readable({
        read: () => this.call.resume(),
        destroy: (error, callback) => {
          if (!this.#isDone) this.#abandon(this.#error('the consumer destroyed the response body', 'none'));
          // As Node's IncomingMessage does: an error nobody listens for must not crash kas.
          callback(body.listenerCount('error') > 0 ? error : null);
        },
      });
      this.#body = body;
      this.#resolveHead({ status: frame.head.status, headers: fromHeaderList(frame.head.headers), body });
    }
    if (frame.body.length > 0 && !this.#body?.push(frame.body)) this.call.pause();
    if (frame.end) {
      this.#settle();
      this.#body?.push(null);
    }
  };

  readonly #onCallError = (error: Error & { code?: number; details?: string }): void => {
    if (this.#isDone) return;
    const isUnauthenticated = error.code === status.UNAUTHENTICATED;
    this.#fail(
      this.#error(
        `${error.details ?? error.message}`,
        isUnauthenticated
          ? 'give every replica the same private API secret (kube-proxy privateApiSecret and private-api secret)'
          : `check that ${this.where} is running and reachable from this replica, and that every replica has the same private API TLS settings (private-api tls; kube-proxy privateApiTls with the CA that signed it)`,
        error,
      ),
    );
  };

  readonly #onCallEnd = (): void => {
    // 'end' comes after every frame was read (grpc-js reports the status as soon as it arrives, even
    // while frames wait behind backpressure): a call that ends without the response's end frame broke.
    if (!this.#isDone) this.#fail(this.#error('the call ended before the response did', 'retry the request'));
  };

  readonly #onAbort = (): void => {
    this.#abandon(this.signal.reason);
  };

  #remoteError(code: string, message: string): ForwardError {
    const isRefusal = this.#body === undefined && REFUSAL_CODES.has(code);
    const error = new KubeProxyError(
      isRefusal ? 'KAS_FORWARD_REFUSED' : 'KAS_FORWARD_FAILED',
      `${this.where} answered ${code}: ${message}`,
      isRefusal ? 'none: another route is tried' : "see that replica's log",
    );
    return Object.assign(error, { isDelivered: this.#isDelivered, remoteCode: code });
  }

  #error(message: string, fix: string, cause?: unknown): ForwardError {
    const error = new KubeProxyError(
      'KAS_FORWARD_FAILED',
      `forwarding to ${this.where} failed: ${message}`,
      fix,
      {
        cause,
      },
    );
    return Object.assign(error, { isDelivered: this.#isDelivered });
  }

  /** Fails the exchange and cancels the call, so the callee cancels upstream. */
  #abandon(reason: unknown): void {
    if (this.#isDone) return;
    this.#fail(reason);
    this.call.cancel();
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
