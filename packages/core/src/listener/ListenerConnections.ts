import type { Server, Socket } from 'node:net';

/** One raw connection of a listener and how much work it carries. */
interface TrackedConnection {
  readonly socket: Socket;
  /** Requests (or streams) in flight on it. */
  inFlight: number;
  /** The socket work was last marked on: the raw one, or a TLS socket over it (ended gracefully). */
  carrier: Socket | undefined;
}

/** `address:port` of the peer, as grpc-js's `call.getPeer()` spells it. */
export function peerOf(socket: Socket): string {
  return `${socket.remoteAddress}:${socket.remotePort}`;
}

/**
 * Every raw connection of one listener, from its `connection` event (before any TLS handshake), with
 * what each carries in flight, so a stop can end what carries nothing: connections that never spoke, are
 * still in the TLS handshake, or sit idle between requests. Work is marked by the socket it came on (a TLS
 * socket is matched to its raw one by the peer's address and port) or by that peer string.
 */
export class ListenerConnections {
  readonly #byPeer = new Map<string, TrackedConnection>();
  #isClosingIdle = false;
  #whenEmpty: (() => void) | undefined;

  constructor(server: Server) {
    server.on('connection', (socket: Socket) => this.#track(socket));
  }

  /** Connections open now. */
  get size(): number {
    return this.#byPeer.size;
  }

  /** Connections open now with nothing in flight. */
  get idle(): number {
    let count = 0;
    for (const connection of this.#byPeer.values()) if (connection.inFlight === 0) count += 1;
    return count;
  }

  /**
   * Marks one piece of work in flight on the connection of `carrier` (a socket, or a peer string) and
   * returns its release; releasing twice counts once. Unknown carriers are ignored.
   */
  busy(carrier: Socket | string): () => void {
    const connection = this.#byPeer.get(typeof carrier === 'string' ? carrier : peerOf(carrier));
    if (connection === undefined) return () => {};
    connection.inFlight += 1;
    if (typeof carrier !== 'string') connection.carrier = carrier;
    let isReleased = false;
    return () => {
      if (isReleased) return;
      isReleased = true;
      connection.inFlight -= 1;
      if (connection.inFlight === 0 && this.#isClosingIdle) endGracefully(connection);
    };
  }

  /**
   * Destroys every connection with nothing in flight now (never spoke, mid-handshake, idle); with
   * `endRestWhenIdle`, from now on ends each other one gracefully as its last piece of work is released
   * (HTTP/1 keep-alive: nothing else would; an HTTP/2 session closed by GOAWAY ends by itself).
   * Returns how many it destroyed.
   */
  closeIdle(options: { readonly endRestWhenIdle?: boolean } = {}): number {
    if (options.endRestWhenIdle === true) this.#isClosingIdle = true;
    let closed = 0;
    for (const connection of [...this.#byPeer.values()]) {
      if (connection.inFlight > 0) continue;
      connection.socket.destroy();
      closed += 1;
    }
    return closed;
  }

  /** Destroys every connection, whatever it carries (the budget is over). Returns how many. */
  destroyAll(): number {
    const count = this.#byPeer.size;
    for (const connection of [...this.#byPeer.values()]) connection.socket.destroy();
    return count;
  }

  /** Resolves once no connection is open. */
  whenEmpty(): Promise<void> {
    if (this.#byPeer.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const previous = this.#whenEmpty;
      this.#whenEmpty = () => {
        previous?.();
        resolve();
      };
    });
  }

  #track(socket: Socket): void {
    const peer = peerOf(socket);
    const connection: TrackedConnection = { socket, inFlight: 0, carrier: undefined };
    this.#byPeer.set(peer, connection);
    socket.once('close', () => {
      if (this.#byPeer.get(peer) !== connection) return;
      this.#byPeer.delete(peer);
      if (this.#byPeer.size > 0) return;
      const whenEmpty = this.#whenEmpty;
      this.#whenEmpty = undefined;
      whenEmpty?.();
    });
  }
}

/** Ends a connection after what was written has left: by its TLS socket when it has one. */
function endGracefully(connection: TrackedConnection): void {
  const socket = connection.carrier ?? connection.socket;
  if (socket.destroyed) return;
  socket.destroySoon();
}
