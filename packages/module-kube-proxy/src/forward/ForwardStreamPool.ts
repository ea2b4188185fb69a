import { type Client, connectivityState, Metadata } from '@grpc/grpc-js';
import { formatDuration } from '@kas/core';
import { FORWARD_METADATA, type ForwardMethod, HEARTBEAT_METADATA } from '@kas/tunnel-protocol';
import {
  type ForwardCall,
  ForwardStream,
  type ForwardStreamOwner,
  type StreamLoss,
} from './ForwardStream.js';

/** What a pool tells whoever counts streams. */
export interface ForwardStreamPoolCounts {
  /** Forward calls opened since start. */
  opened: number;
  /** Exchanges sent on a call that had carried one before. */
  reused: number;
}

/**
 * The Forward calls to one replica address: idle ones are handed out most recently idle first, a new
 * one is opened when none is idle, and one that carried a clean exchange comes back. Calls idle longer
 * than `idleStreamMs` beyond the `keptIdle` most recently used are half-closed, so a pool grown for a
 * burst (or for watches) shrinks again while a warm call stays for the next request.
 */
export class ForwardStreamPool implements ForwardStreamOwner {
  readonly #idle: ForwardStream[] = [];
  readonly #streams = new Set<ForwardStream>();
  readonly #used = new WeakSet<ForwardStream>();
  #isClosed = false;
  /**
   * Whether the replica on the current connection answers a call as it accepts it (its metadata carries
   * `kas-heartbeat`): unknown until a call's metadata says, and again after the connection changed.
   */
  #answersAtOnce: boolean | undefined;

  constructor(
    private readonly client: Client,
    private readonly method: ForwardMethod,
    private readonly authorization: string,
    readonly where: string,
    private readonly counts: ForwardStreamPoolCounts,
    private readonly idleStreamMs: number,
    private readonly keptIdle: number,
    /** A call heard nothing past its heartbeat limit: the connection to this replica is lost. */
    private readonly onConnectionLost: (loss: StreamLoss) => void,
    /** How long a new call may wait for the callee's response metadata (`privateApiConnectTimeout`). */
    private readonly answerTimeoutMs: number,
  ) {
    this.#watchConnection();
  }

  /** An idle stream, or a new one. */
  take(): ForwardStream {
    let stream = this.#idle.pop();
    while (stream !== undefined && stream.state !== 'idle') stream = this.#idle.pop();
    if (stream === undefined) stream = this.#open();
    if (this.#used.has(stream)) this.counts.reused += 1;
    else this.#used.add(stream);
    return stream;
  }

  /** Streams open (idle or busy). */
  get size(): number {
    return this.#streams.size;
  }

  /** Streams carrying an exchange. */
  get busyCount(): number {
    return this.#streams.size - this.#idle.length;
  }

  onIdle(stream: ForwardStream): void {
    if (this.#isClosed) {
      stream.release();
      return;
    }
    this.#idle.push(stream);
  }

  onLost(_stream: ForwardStream, loss: StreamLoss): void {
    this.onConnectionLost(loss);
  }

  onAnswered(_stream: ForwardStream, sendsHeartbeats: boolean): void {
    // A status without a reply (a refused secret, a stopping replica) carries no heartbeat timing either:
    // it does not say the replica is an older one.
    this.#answersAtOnce = sendsHeartbeats || (this.#answersAtOnce ?? false);
  }

  /**
   * A call got no metadata within `waitedMs`. While the channel is not connected, the call never left:
   * the replica accepted TCP and never completed the TLS and HTTP/2 handshake (or never accepted it).
   * Connected, a replica that sends heartbeats answers a call as it accepts it, whatever its tunnels are
   * doing; an older one answers only with its first reply, which may rightly take long, so it is waited for.
   */
  lossOfUnanswered(waitedMs: number): StreamLoss | undefined {
    const option = 'kubeProxy.privateApiConnectTimeout';
    const fix = `check that ${this.where} is a kas replica serving its private API there, running and not paused or overloaded, and reachable from this replica`;
    if (this.client.getChannel().getConnectivityState(false) !== connectivityState.READY) {
      return {
        message: `the connection was not established within ${formatDuration(waitedMs)} (${option}): it accepted the TCP connection but never completed the TLS and HTTP/2 handshake, or never accepted it`,
        fix,
        failure: `it did not complete the connection within ${formatDuration(waitedMs)} (it accepted it but never answered, or never accepted it)`,
      };
    }
    if (this.#answersAtOnce !== true) return undefined;
    return {
      message: `it accepted the connection but never answered the Forward call within ${formatDuration(waitedMs)} (${option}), as a kas replica does at once`,
      fix,
      failure: `it accepted the connection but never answered within ${formatDuration(waitedMs)}`,
    };
  }

  onClosed(stream: ForwardStream): void {
    this.#streams.delete(stream);
    const index = this.#idle.indexOf(stream);
    if (index >= 0) this.#idle.splice(index, 1);
  }

  /** Half-closes streams idle for longer than `idleStreamMs`, beyond the `keptIdle` most recent. */
  trimIdle(now: number): void {
    const removable = this.#idle.length - this.keptIdle;
    let trimmed = 0;
    // Oldest first: the list is in the order the streams became idle.
    while (trimmed < removable) {
      const oldest = this.#idle[0];
      if (oldest === undefined || now - oldest.idleSince < this.idleStreamMs) break;
      this.#idle.shift();
      oldest.release();
      trimmed += 1;
    }
  }

  /** Ends every idle stream, and every stream as it becomes idle; cancels none. */
  close(): void {
    this.#isClosed = true;
    for (const stream of this.#idle.splice(0)) stream.release();
  }

  /** Cancels every stream, busy ones too; `loss` tells their exchanges why (the connection was lost). */
  cancelAll(loss?: StreamLoss): void {
    this.close();
    for (const stream of [...this.#streams]) stream.cancel(loss);
  }

  #open(): ForwardStream {
    const metadata = new Metadata();
    metadata.set(FORWARD_METADATA.authorization, this.authorization);
    metadata.set(HEARTBEAT_METADATA, '1'); // this side answers the callee's heartbeats
    const call = this.client.makeBidiStreamRequest(
      this.method.path,
      this.method.requestSerialize,
      this.method.responseDeserialize,
      metadata,
    ) as ForwardCall;
    this.counts.opened += 1;
    const stream = new ForwardStream(call, this.where, this, this.answerTimeoutMs);
    this.#streams.add(stream);
    return stream;
  }

  /** A new connection may be to another process (a restart, a rollback): what the last one said is forgotten. */
  #watchConnection(): void {
    const channel = this.client.getChannel();
    const state = channel.getConnectivityState(false);
    if (state === connectivityState.SHUTDOWN) return;
    channel.watchConnectivityState(state, Number.POSITIVE_INFINITY, () => {
      if (channel.getConnectivityState(false) !== connectivityState.READY) this.#answersAtOnce = undefined;
      this.#watchConnection();
    });
  }
}
