import type { Http2Session } from 'node:http2';
import type { Server } from '@grpc/grpc-js';
import { http2ServersOf } from './http2ServersOf.js';

/**
 * What a ping found: the peer answered; it stayed silent for the whole timeout (it froze, or its network
 * drops everything); or it cannot be asked (no such connection, or one that is closing: Node cancels
 * pings once a session closes, as grpc-js's `tryShutdown` makes it).
 */
export type PingOutcome = 'answered' | 'silent' | 'unknown';

/**
 * HTTP/2 pings to the peers of a grpc-js server's connections, sent on demand. A heartbeat on a call
 * waits behind the call's data and its flow control: when it cannot leave, or its answer cannot be read,
 * silence says nothing about the peer. A ping is not held back by either, and Node answers one as soon as
 * the peer's event loop runs: a peer that is only slow to read answers at once, one that froze does not.
 * Only pings kas sends itself, and only when a call asks: grpc-js's own keepalive drops every call of a
 * connection whose ping fails, and Node cancels pings on a connection that got GOAWAY.
 */
export class ConnectionPings {
  readonly #sessions = new Map<string, Http2Session>();
  /** Pings in flight, by session: calls of one connection that ask at the same time share one. */
  readonly #pending = new Map<Http2Session, Promise<PingOutcome>>();

  constructor(
    /** How long a ping may wait for its answer. */
    private readonly timeoutMs: number,
  ) {}

  /**
   * Follows the connections `server` accepts from now on. Call it after `createConnectionInjector` or
   * `bindAsync`; returns false when this grpc-js version hides its HTTP/2 servers (every ping is then
   * `unknown`).
   */
  attach(server: Server): boolean {
    const http2Servers = http2ServersOf(server);
    if (http2Servers === undefined) return false;
    for (const http2Server of http2Servers) http2Server.on('session', (session) => this.#follow(session));
    return true;
  }

  /** Pings the connection of `peer` (`address:port`, as grpc-js's `call.getPeer()` says it). */
  ping(peer: string): Promise<PingOutcome> {
    const session = this.#sessions.get(peer);
    if (session === undefined || session.closed || session.destroyed) return Promise.resolve('unknown');
    let pending = this.#pending.get(session);
    if (pending === undefined) {
      pending = this.#send(session).finally(() => this.#pending.delete(session));
      this.#pending.set(session, pending);
    }
    return pending;
  }

  #follow(session: Http2Session): void {
    const { remoteAddress, remotePort } = session.socket;
    const peer = `${remoteAddress}:${remotePort}`;
    this.#sessions.set(peer, session);
    session.once('close', () => {
      if (this.#sessions.get(peer) === session) this.#sessions.delete(peer);
    });
  }

  #send(session: Http2Session): Promise<PingOutcome> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve('silent'), this.timeoutMs);
      timer.unref();
      const settle = (outcome: PingOutcome) => {
        clearTimeout(timer);
        resolve(outcome);
      };
      try {
        const isSent = session.ping((error) => settle(error === null ? 'answered' : 'unknown'));
        if (!isSent) settle('unknown');
      } catch {
        settle('unknown'); // the session closed meanwhile
      }
    });
  }
}
