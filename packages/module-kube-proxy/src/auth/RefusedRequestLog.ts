import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { RateLimitedLog } from '@kas/core';
import type { Logger } from 'pino';
import type { Authentication } from './UserAuthenticator.js';

/** Lines about clients kas cannot name, written one by one in each 10 s before they are summed up. */
export const ANONYMOUS_LINES_PER_INTERVAL = 20;

/**
 * `request.unrouted` lines written one by one in each 10 s before they are summed up: during a Redis
 * outage or while a replica is lost every request may get one (a log line per request at production rates).
 */
export const UNROUTED_LINES_PER_INTERVAL = 20;

/**
 * The kube proxy's lines about requests it refused before routing them. A refusal of a known user (403,
 * 404) is one `request.denied` line each: the audit trail. What anyone can cause without a known secret
 * — a 401, a malformed request (`request.malformed`), a failed TLS handshake (`client.tlsFailed`) — is
 * rate-limited: the first 20 of each 10 s one by one, the rest summed up in one
 * `kubeProxy.refusedSummary` line; the request counters count every one.
 */
export class RefusedRequestLog {
  readonly #anonymous: RateLimitedLog;
  readonly #unrouted: RateLimitedLog;

  constructor(private readonly log: Logger) {
    this.#anonymous = new RateLimitedLog(log, {
      level: 'info',
      summaryEvent: 'kubeProxy.refusedSummary',
      what: 'refusals of unauthenticated or malformed requests',
      perInterval: ANONYMOUS_LINES_PER_INTERVAL,
    });
    this.#unrouted = new RateLimitedLog(log, {
      level: 'info',
      summaryEvent: 'kubeProxy.unroutedSummary',
      what: 'requests kas answered itself because it could not route them',
      perInterval: UNROUTED_LINES_PER_INTERVAL,
    });
  }

  /** A `request.unrouted` line (see `logUnrouted`), summed up under `code` beyond the first of each 10 s. */
  unrouted(code: string, fields: Readonly<Record<string, unknown>>, message: string): void {
    this.#unrouted.write(code, fields, message);
  }

  /**
   * A request refused by authentication (401, 403, 404 for an agent no user may reach): who (the user,
   * when the token's secret was known), for which agent (as the token names it), why, and what was
   * asked. Never the token or its secret.
   */
  denied(request: IncomingMessage, auth: Exclude<Authentication, { kind: 'allowed' }>, status: number): void {
    const url = request.url ?? '/';
    const queryStart = url.indexOf('?');
    const reason =
      auth.kind === 'unauthenticated'
        ? auth.reason
        : auth.kind === 'forbidden'
          ? 'the user may not reach this agent'
          : 'no user may reach an agent of this id';
    const user = 'user' in auth ? auth.user : undefined;
    const fields = {
      event: 'request.denied',
      status,
      user,
      agentId: auth.agentId,
      reason,
      method: request.method,
      path: queryStart < 0 ? url : url.slice(0, queryStart),
      remoteAddress: request.socket.remoteAddress,
    };
    const message = `denied ${request.method} for ${user === undefined ? 'an unauthenticated client' : `user "${user}"`}${auth.agentId === undefined ? '' : ` to agent "${auth.agentId}"`}: ${status} ${reason}`;
    if (user === undefined) this.#anonymous.write(`${status} ${reason}`, fields, message);
    else this.log.info(fields, message);
  }

  /**
   * What Node's HTTP server refused before kas saw a request (`clientError`): a malformed request
   * answered with `status`, a failed TLS handshake, or (at debug only) a client that went away.
   */
  clientError(error: ClientError, socket: Duplex, status: number | undefined): void {
    const remoteAddress = (socket as { remoteAddress?: string }).remoteAddress;
    if (status !== undefined) {
      this.#anonymous.write(
        `${status} ${error.code}`,
        { event: 'request.malformed', status, code: error.code, remoteAddress },
        `answered a malformed request with ${status} (${error.code ?? error.message})`,
      );
    } else if (isTlsFailure(error)) {
      const reason = error.reason ?? error.code ?? 'unknown';
      this.#anonymous.write(
        `TLS ${error.code ?? reason}`,
        { event: 'client.tlsFailed', code: error.code, reason, remoteAddress },
        `a client's TLS handshake failed (${reason}): ${tlsFailureCause(error.code)}`,
      );
    } else {
      this.log.debug(
        { event: 'client.error', err: error, remoteAddress },
        'a client connection failed before a request',
      );
    }
  }

  /** Writes the summary of what was counted and not written (at stop). */
  flush(): void {
    this.#anonymous.flush();
    this.#unrouted.flush();
  }
}

/** What Node's `clientError` carries; OpenSSL's errors add `library` and `reason`. */
type ClientError = Error & { readonly code?: string; readonly library?: string; readonly reason?: string };

function isTlsFailure(error: ClientError): boolean {
  return error.library === 'SSL routines' || error.code?.startsWith('ERR_SSL_') === true;
}

/** The likely cause of a failed handshake, in the words of what to check. */
function tlsFailureCause(code: string | undefined): string {
  switch (code) {
    case 'ERR_SSL_HTTP_REQUEST':
      return 'the client sent plain HTTP to the HTTPS listener: its server URL must begin with https://';
    case 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA':
    case 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE':
    case 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN':
      return "the client does not trust kubeProxy.tls's certificate: its kubeconfig's certificate-authority-data must hold the CA that signed it";
    default:
      return "a client that does not trust kubeProxy.tls's certificate, offers no common TLS version or cipher, or is not speaking TLS";
  }
}
