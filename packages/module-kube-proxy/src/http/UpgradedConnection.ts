import type { Socket } from 'node:net';
import { formatDuration } from '@kas/core';
import type { TunnelResponse } from '@kas/tunnel-protocol';
import { KubeProxyError } from '../errors/KubeProxyError.js';
import { clientResponseHeaders } from './forwardHeaders.js';
import { WebSocketFrameBoundary, webSocketCloseFrame, webSocketFrame } from './WebSocketFrameBoundary.js';
import { rawResponseHead } from './writeRawResponse.js';

/** How an upgraded connection ended. */
export type UpgradedEnding = 'closed' | 'upstreamFailed' | 'idle' | 'cut';

/** WebSocket close code 1001: the server is going away (or the connection idled out). */
const GOING_AWAY = 1001;
/** How long a client is given to finish the closing handshake before its connection is cut. */
const CLOSE_HANDSHAKE_MS = 5_000;
/**
 * The same wait when kas cuts the connection at its stop (drain budget, second signal, deadline): the kube
 * proxy's stop waits for its connections to close, and the core gives a cut module 2 s to return
 * (`STOP_CUT_GRACE_MS`) before it reports it overdue. A client that stopped reading (a port-forward that
 * backs up) never lets the goodbye through; it is cut after this instead of the full handshake time.
 */
const CUT_GOODBYE_MS = 1_000;
/** The remote-command subprotocols whose channel 3 carries a `Status` that kubectl prints. */
const STATUS_CHANNEL_PROTOCOLS = /^v[45]\.channel\.k8s\.io$/;
const ERROR_CHANNEL = 3;

/**
 * One connection switched to another protocol (WebSocket or SPDY), relayed between the client's socket and
 * the agent's answer: writes the `101`, then copies the upstream's bytes to the client with backpressure
 * (the client's bytes travel as the tunnel request's body). The upstream's end half-closes the client's
 * side. When kas must end it — the drain budget, the idle timeout — a WebSocket client gets, at a frame
 * boundary, the reason as a `Status` on the error channel (kubectl prints it) and a close frame; a SPDY
 * connection, whose compressed framing kas does not follow, is cut.
 */
export class UpgradedConnection {
  readonly #frames: WebSocketFrameBoundary | undefined;
  readonly #idleTimer: NodeJS.Timeout | undefined;
  #ending: { readonly why: string; readonly kind: UpgradedEnding } | undefined;
  #isClosed = false;

  constructor(
    private readonly socket: Socket,
    private readonly response: TunnelResponse,
    /** The protocol switched to, lower-case: `websocket`, `spdy/3.1`. */
    protocol: string,
    idleTimeoutMs: number,
    /**
     * The upstream broke off (the tunnel, or the replica it was forwarded to) while the client was still
     * connected and kas was not ending the connection: for the log.
     */
    onBroken: (error: Error) => void = () => {},
  ) {
    const { body, headers } = response;
    const subprotocol = headers['sec-websocket-protocol']?.[0] ?? '';
    this.#frames = protocol === 'websocket' ? new WebSocketFrameBoundary() : undefined;
    this.#statusChannel = STATUS_CHANNEL_PROTOCOLS.test(subprotocol);
    const responseHeaders = clientResponseHeaders(headers, false);
    responseHeaders.upgrade = [headers.upgrade?.[0] ?? protocol];
    responseHeaders.connection = ['Upgrade'];
    socket.setNoDelay(true);
    socket.write(rawResponseHead(101, responseHeaders));
    if (idleTimeoutMs > 0) {
      this.#idleTimer = setTimeout(
        () =>
          this.end(
            'idle',
            `no bytes either way for ${formatDuration(idleTimeoutMs)} (kubeProxy.upgradeIdleTimeout)`,
          ),
        idleTimeoutMs,
      );
      this.#idleTimer.unref();
      socket.on('data', this.#onActivity);
    }
    body.on('data', this.#onUpstreamData);
    body.once('end', () => {
      if (this.#ending !== undefined || this.#isClosed) return;
      if (this.#frames?.hasSeenClose === false) {
        // The upstream's connection ended without closing the WebSocket: it was cut, not finished.
        const error = new KubeProxyError(
          'KAS_UPGRADE_UPSTREAM_VANISHED',
          'the Kubernetes API behind the agent ended the WebSocket connection without a close frame: it crashed or restarted, or the connection between agentk and it was cut',
          'look at the Kubernetes API server behind the agent, and at anything between agentk and it; the user can reconnect',
        );
        this.#hasUpstreamFailed = true;
        onBroken(error);
        this.#upstreamBroke(UPSTREAM_VANISHED_REASON);
        return;
      }
      socket.end();
    });
    body.once('error', (error) => {
      clearTimeout(this.#idleTimer);
      // Once the client's connection closed, or kas began to end it, the upstream's end follows from
      // that (the tunnel request is cancelled with the client's socket): no break.
      if (!this.socket.destroyed && this.#ending === undefined) {
        this.#hasUpstreamFailed = true;
        onBroken(error);
      }
      // A stop that cuts the tunnel cuts this connection in the same moment: kas's own reason goes first.
      setImmediate(() => this.#upstreamBroke(clientReasonOf(error)));
    });
    socket.once('close', () => {
      this.#isClosed = true;
      clearTimeout(this.#idleTimer);
      if (!body.readableEnded) body.destroy();
    });
  }

  readonly #statusChannel: boolean;
  #hasUpstreamFailed = false;

  /** How the connection ended (or is ending): kas's reason, a broken upstream, or a plain close. */
  get ending(): UpgradedEnding {
    const kind = this.#ending?.kind;
    if (kind !== undefined && kind !== 'upstreamFailed') return kind;
    return this.#hasUpstreamFailed ? 'upstreamFailed' : 'closed';
  }

  /**
   * Ends the connection because kas must (`why` is told to the client): a WebSocket at the next frame
   * boundary of the upstream's bytes, with a `Status` (remote command) and a close frame; SPDY at once.
   */
  end(kind: UpgradedEnding, why: string): void {
    if (this.#ending !== undefined || this.#isClosed) return;
    this.#ending = { kind, why };
    clearTimeout(this.#idleTimer);
    if (this.#frames === undefined) {
      this.socket.destroy();
      return;
    }
    if (this.#frames.isAtBoundary) this.#sayGoodbye();
    // Otherwise the data handler says it once the frame on its way is complete.
    setTimeout(() => this.socket.destroy(), kind === 'cut' ? CUT_GOODBYE_MS : CLOSE_HANDSHAKE_MS).unref();
  }

  /**
   * The upstream broke off. A WebSocket client is told `why`, as when kas ends the connection itself (the
   * reason an error carries for the user: the holder's drain cut, a lost replica), at a frame boundary.
   */
  #upstreamBroke(why: string): void {
    if (this.#isClosed || this.socket.writableEnded) return; // gone, or the goodbye is on its way
    this.#ending ??= { kind: 'upstreamFailed', why };
    if (this.#frames?.isAtBoundary === true) {
      this.#sayGoodbye();
      setTimeout(() => this.socket.destroy(), CLOSE_HANDSHAKE_MS).unref();
      return;
    }
    this.#isClosed = true;
    this.socket.destroy();
  }

  readonly #onActivity = (): void => {
    this.#idleTimer?.refresh();
  };

  readonly #onUpstreamData = (chunk: Buffer): void => {
    this.#idleTimer?.refresh();
    let bytes = chunk;
    const boundary = this.#frames?.feed(chunk) ?? -1;
    if (this.#ending !== undefined) {
      if (boundary < 0) {
        this.#write(bytes);
        return;
      }
      bytes = chunk.subarray(0, boundary);
      if (bytes.length > 0) this.socket.write(bytes);
      this.#sayGoodbye();
      return;
    }
    this.#write(bytes);
  };

  #write(bytes: Buffer): void {
    if (!this.socket.write(bytes)) {
      this.response.body.pause();
      this.socket.once('drain', () => this.response.body.resume());
    }
  }

  #sayGoodbye(): void {
    const ending = this.#ending;
    if (ending === undefined || this.socket.writableEnded) return;
    this.response.body.off('data', this.#onUpstreamData);
    const message = `kas ended the connection: ${ending.why}`;
    if (this.#statusChannel) {
      const status = JSON.stringify({
        metadata: {},
        status: 'Failure',
        message,
        reason: ending.kind === 'idle' ? 'Timeout' : 'ServiceUnavailable',
        code: ending.kind === 'idle' ? 504 : 503,
      });
      this.socket.write(
        webSocketFrame(0x2, Buffer.concat([Buffer.from([ERROR_CHANNEL]), Buffer.from(status)])),
      );
    }
    this.socket.end(webSocketCloseFrame(GOING_AWAY, message));
    this.response.body.destroy();
  }
}

/** Why a WebSocket session ended when the API server's connection behind the agent ended without closing it. */
const UPSTREAM_VANISHED_REASON =
  'the Kubernetes API behind the agent closed the connection without ending the session: reconnect';

/** Why an upgraded connection ended when the agent's side of it broke off (here or on the replica holding it). */
export const AGENT_BROKE_OFF_REASON = 'the connection to the agent broke off: reconnect';

/** The reason an upstream error carries for the user (no internal address), or a plain one. */
function clientReasonOf(error: Error): string {
  const reason = (error as { clientReason?: unknown }).clientReason;
  return typeof reason === 'string' ? reason : AGENT_BROKE_OFF_REASON;
}
