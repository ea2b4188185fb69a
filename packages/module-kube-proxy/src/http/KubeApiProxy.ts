import { setMaxListeners } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { formatDuration } from '@kas/core';
import type { TunnelRequest, TunnelResponse } from '@kas/tunnel-protocol';
import type { Logger } from 'pino';
import type { RefusedRequestLog } from '../auth/RefusedRequestLog.js';
import type { Authentication, UserAuthenticator } from '../auth/UserAuthenticator.js';
import { KubeProxyError } from '../errors/KubeProxyError.js';
import type { ProxyCounters } from '../metrics/KubeProxyMetrics.js';
import type { RoutedResponse, TunnelRouter } from '../routing/TunnelRouter.js';
import { clientResponseHeaders, upstreamRequestHeaders } from './forwardHeaders.js';
import { type InFlightRequest, type InFlightRequests, identify, identityOf } from './InFlightRequests.js';
import { sendStatus, statusBody } from './kubeStatus.js';
import { LongRunningLimit } from './LongRunningLimit.js';
import { errorCodeOf, logUnrouted } from './logUnrouted.js';
import { requestTargetProblem } from './requestTargetProblem.js';
import { statusForAuthentication, statusForError } from './statusForError.js';

/** What the proxy keeps per client connection. */
interface ClientConnection {
  /**
   * Aborted when the connection closes. A client that goes away closes its connection (and kas cuts a
   * response only by destroying its connection), so that moment abandons every request in flight on it;
   * a keep-alive connection's requests share the signal instead of making an AbortController each (3-4%
   * of kas's CPU under load). Each user of the signal removes its listener when its request is over.
   */
  readonly signal: AbortSignal;
  /** The last `Authorization` header that was allowed on this connection, and what it allowed. */
  authorization: string | undefined;
  allowed: (Authentication & { readonly kind: 'allowed' }) | undefined;
}

/**
 * Serves one HTTP request of a Kubernetes client: authenticates it, sends it through a tunnel of its agent
 * (headers converted once, credentials and hop-by-hop fields dropped) and streams the answer back chunk by
 * chunk with backpressure. Failures before the answer's head are a `Status`; a failure after it cuts the
 * client connection, so a client never takes a truncated body for a whole one.
 */
export class KubeApiProxy {
  readonly #connections = new WeakMap<Socket, ClientConnection>();
  readonly #longRunning: LongRunningLimit;

  constructor(
    private readonly authenticator: UserAuthenticator,
    private readonly router: TunnelRouter,
    private readonly inFlight: InFlightRequests,
    private readonly counters: ProxyCounters,
    /** True once the proxy is stopping: every answer then closes its connection. */
    private readonly isStopping: () => boolean,
    private readonly settings: {
      readonly responseHeaderTimeoutMs: number;
      readonly maxLongRunningPerUser: number;
    },
    private readonly refusals: RefusedRequestLog,
    private readonly log: Logger,
  ) {
    this.#longRunning = new LongRunningLimit(settings.maxLongRunningPerUser);
  }

  readonly handle = (request: IncomingMessage, response: ServerResponse): void => {
    const url = request.url ?? '/';
    const queryStart = url.indexOf('?');
    const path = queryStart < 0 ? url : url.slice(0, queryStart);
    const method = request.method ?? 'GET';
    const query = queryStart < 0 ? '' : url.slice(queryStart + 1);
    const entry: InFlightRequest = {
      startedAt: performance.now(),
      route: 'none',
      outcome: undefined,
      isWatch: WATCH_QUERY.test(query),
      method,
      path,
    };
    this.inFlight.add(response, entry);
    const connection = this.#connectionOf(request.socket);
    const signal = connection.signal;
    response.once('close', () => this.#finished(response, entry));
    const auth = this.#authenticate(connection, request.headers.authorization);
    identify(entry, auth);
    if (auth.kind !== 'allowed') {
      const answer = statusForAuthentication(auth);
      this.refusals.denied(request, auth, answer.code);
      sendStatus(response, answer, this.isStopping());
      return;
    }
    const targetProblem = requestTargetProblem(url, path);
    if (targetProblem !== undefined) {
      sendStatus(response, { code: 400, reason: 'BadRequest', message: targetProblem }, this.isStopping());
      return;
    }
    if (
      (entry.isWatch || (path.endsWith('/log') && FOLLOW_QUERY.test(query))) &&
      !this.#takeLongRunning(entry, auth)
    ) {
      this.#fail(response, auth.agentId, this.#longRunningLimitError(auth), undefined);
      return;
    }
    const tunnelRequest: TunnelRequest = {
      method,
      path,
      query,
      headers: upstreamRequestHeaders(request.rawHeaders),
    };
    const timeoutMs = this.settings.responseHeaderTimeoutMs;
    // No controller or listener per request (they cost kas 5-8% of its CPU for small GETs): a request
    // whose head does not come in time is answered 504 with `Connection: close`, and the connection's
    // close aborts the connection's signal, which cancels the request upstream. An HTTP/1.1 connection
    // whose answer is stuck can carry nothing else anyway: answers leave in order.
    let isTimedOut = false;
    const timer =
      timeoutMs > 0
        ? setTimeout(() => {
            isTimedOut = true;
            this.#headTimedOut(response, auth.agentId, timeoutMs);
          }, timeoutMs)
        : undefined;
    this.router.roundTrip(auth.agentId, tunnelRequest, hasBody(request) ? request : undefined, signal).then(
      (routed) => {
        clearTimeout(timer);
        if (signal.aborted || isTimedOut) routed.response.body.destroy();
        else this.#answer(response, entry, routed, auth.agentId);
      },
      (error: unknown) => {
        clearTimeout(timer);
        if (!isTimedOut) this.#fail(response, auth.agentId, error, signal);
      },
    );
  };

  /**
   * No answer head came within `responseHeaderTimeout`: the client gets a 504 naming the agent, and its
   * connection is closed after it, which cancels the request upstream (the connection's signal aborts).
   * What follows a head that came in time (a watch's events) is never cut by this.
   */
  #headTimedOut(response: ServerResponse, agentId: string, timeoutMs: number): void {
    const message = `agent "${agentId}" did not answer within ${formatDuration(timeoutMs)} (kubeProxy.responseHeaderTimeout): the agent or its Kubernetes API is stuck; the request was cancelled`;
    this.log.warn({ event: 'request.headTimeout', agentId, timeoutMs }, message);
    if (response.headersSent || response.destroyed) response.destroy();
    else sendStatus(response, { code: 504, reason: 'Timeout', message, agentId }, true);
  }

  /** Takes the request a slot under `maxLongRunningPerUser`, given back when it ends; false at the limit. */
  #takeLongRunning(entry: InFlightRequest, auth: Authentication & { readonly kind: 'allowed' }): boolean {
    const release = this.#longRunning.take(auth.user, auth.agentId);
    if (release === undefined) return false;
    entry.releaseSlot = release;
    return true;
  }

  #longRunningLimitError(auth: Authentication & { readonly kind: 'allowed' }): KubeProxyError {
    const limit = this.#longRunning.maxPerUser;
    return new KubeProxyError(
      'KAS_LONG_RUNNING_LIMIT_REACHED',
      `user "${auth.user}" already has ${limit} watches or followed logs in flight to agent "${auth.agentId}" through this kas replica (kubeProxy.maxLongRunningPerUser); end one and retry`,
      `end one of them, or raise kubeProxy.maxLongRunningPerUser in kas.yaml (each holds one of the agent's tunnels: keep it below agentk's --max-tunnels, so other users still get one)`,
    );
  }

  #connectionOf(socket: Socket): ClientConnection {
    let connection = this.#connections.get(socket);
    if (connection === undefined) {
      const controller = new AbortController();
      connection = { signal: controller.signal, authorization: undefined, allowed: undefined };
      // Pipelined requests of one connection each listen while in flight.
      setMaxListeners(PIPELINED_LISTENERS, controller.signal);
      socket.once('close', () => controller.abort(new Error('the client went away')));
      this.#connections.set(socket, connection);
    }
    return connection;
  }

  /**
   * A keep-alive client sends the same token with every request: the connection keeps its last allowed
   * header and what it allowed, so the token's sha256 is taken once per connection and token, not per
   * request. Denials are not kept (they are rare, and each is logged).
   */
  #authenticate(connection: ClientConnection, authorization: string | undefined): Authentication {
    if (authorization !== undefined && authorization === connection.authorization && connection.allowed)
      return connection.allowed;
    const auth = this.authenticator.authenticate(authorization);
    if (auth.kind === 'allowed') {
      connection.authorization = authorization;
      connection.allowed = auth;
    }
    return auth;
  }

  #answer(response: ServerResponse, entry: InFlightRequest, routed: RoutedResponse, agentId: string): void {
    entry.route = routed.route;
    const { status, headers, body } = routed.response;
    if (response.destroyed) {
      body.destroy();
      return;
    }
    try {
      response.writeHead(status, clientResponseHeaders(headers, this.isStopping()));
    } catch (error) {
      body.destroy();
      this.#fail(response, agentId, error, undefined);
      return;
    }
    // A watch's head must reach the client before its first event; a sized body carries its head along.
    if (headers['content-length'] === undefined) response.flushHeaders();
    const errorEvent = (error: unknown) => {
      const answer = statusForError(error, agentId);
      // What the API server sends when it ends a watch on an error: kubectl get -w prints it.
      const status = statusBody({ ...answer, message: `the watch broke off: ${answer.message}` });
      return `{"type":"ERROR","object":${status}}\n`;
    };
    streamBody(body, response, entry, errorEvent, (error) =>
      // Says why the client's answer ended early: the tunnel or replica it came through was cut at its
      // drain budget, lost its connection, or the agent ended it.
      this.log.warn(
        {
          event: 'response.broken',
          agentId,
          route: routed.route,
          ...errorCodeOf(error),
          reason: messageOf(error),
        },
        `the answer from agent "${agentId}" broke off: ${messageOf(error)}`,
      ),
    );
  }

  #fail(response: ServerResponse, agentId: string, error: unknown, signal: AbortSignal | undefined): void {
    if (signal?.aborted || response.destroyed) return;
    if (response.headersSent) {
      response.destroy();
      return;
    }
    const answer = statusForError(error, agentId);
    logUnrouted(this.log, this.refusals, agentId, error, answer);
    sendStatus(response, answer, this.isStopping());
  }

  #finished(response: ServerResponse, entry: InFlightRequest): void {
    this.inFlight.delete(response);
    entry.releaseSlot?.();
    try {
      this.counters.record({
        status: response.headersSent ? response.statusCode : 0,
        durationSeconds: (performance.now() - entry.startedAt) / 1000,
        route: entry.route,
        outcome: entry.outcome ?? (response.writableFinished ? 'completed' : 'clientClosed'),
        ...identityOf(entry),
      });
    } catch (error) {
      this.log.error({ event: 'metrics.listenerFailed', err: error }, 'a request metrics listener threw');
    }
  }
}

const PIPELINED_LISTENERS = 100;
const NEWLINE = 0x0a;

/** `watch=1` or `watch=true` in a query string. */
const WATCH_QUERY = /(?:^|&)watch=(?:1|true)(?:&|$)/;
/** `follow=1` or `follow=true` in a query string (a pod's log, followed). */
const FOLLOW_QUERY = /(?:^|&)follow=(?:1|true)(?:&|$)/;

/** Copies the agent's body to the client as it arrives, with backpressure; cuts the client if it breaks. */
function streamBody(
  body: TunnelResponse['body'],
  response: ServerResponse,
  entry: InFlightRequest,
  errorEvent: (error: unknown) => string,
  onBroken: (error: unknown) => void,
): void {
  // A body that broke before its reader came (in the turn its head was handed over) emits nothing more.
  if (body.destroyed && !body.readableEnded) {
    entry.outcome ??= 'upstreamFailed';
    onBroken(body.errored ?? new Error('the answer broke off before its body could be read'));
    response.destroy();
    return;
  }
  const resume = () => body.resume();
  let isAtLineEnd = true; // watch events are JSON lines
  body.on('data', (chunk: Buffer) => {
    isAtLineEnd = chunk[chunk.length - 1] === NEWLINE;
    if (!response.write(chunk)) {
      body.pause();
      response.once('drain', resume);
    }
  });
  if (entry.isWatch) {
    entry.endWatchCleanly = () => {
      if (!isAtLineEnd || response.destroyed) return false;
      body.destroy(); // cancels the watch upstream
      response.end();
      return true;
    };
  }
  body.once('end', () => response.end());
  body.once('error', (error) => {
    entry.outcome ??= response.destroyed ? undefined : 'upstreamFailed';
    if (!response.destroyed) onBroken(error);
    // A watch broken between two events ends with an ERROR event saying why (a client would otherwise
    // see a watch that ended, or a cut connection, and nothing more); any other answer is cut.
    if (entry.isWatch && isAtLineEnd && !response.destroyed && !response.writableEnded) {
      response.end(errorEvent(error));
      return;
    }
    response.destroy();
  });
  response.once('close', () => {
    if (!body.readableEnded) body.destroy();
  });
}

function hasBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  return (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
