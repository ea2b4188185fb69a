import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { TunnelRequest } from '@kas/tunnel-protocol';
import type { Logger } from 'pino';
import type { RefusedRequestLog } from '../auth/RefusedRequestLog.js';
import type { UserAuthenticator } from '../auth/UserAuthenticator.js';
import { KubeProxyError } from '../errors/KubeProxyError.js';
import type { ProxyCounters } from '../metrics/KubeProxyMetrics.js';
import type { RoutedResponse, TunnelRouter } from '../routing/TunnelRouter.js';
import { clientResponseHeaders, upstreamRequestHeaders } from './forwardHeaders.js';
import { type InFlightRequest, type InFlightRequests, identify, identityOf } from './InFlightRequests.js';
import type { StatusAnswer } from './kubeStatus.js';
import { causeOf, errorCodeOf, logUnrouted } from './logUnrouted.js';
import { requestTargetProblem } from './requestTargetProblem.js';
import { statusForAuthentication, statusForError } from './statusForError.js';
import { UpgradedConnection } from './UpgradedConnection.js';
import type { UpgradeLimits } from './UpgradeLimits.js';
import { closeAfterAnswer, rawResponseHead, writeRawStatus } from './writeRawResponse.js';

/** The settings an upgraded connection is served with. */
export interface UpgradeSettings {
  /** Ends a connection after this long without a byte either way; 0: never. */
  readonly idleTimeoutMs: number;
}

/**
 * Serves a request that asks to switch protocols (kubectl exec, attach, cp, port-forward; client-node's
 * Exec and PortForward): authenticates it exactly as any request (a user not allowed the agent gets the
 * 403 before anything is switched), takes a slot under the per-agent and per-user limits, sends it
 * through a tunnel (or another replica) with the client's socket as its body, and relays the answer: a
 * `101` becomes an `UpgradedConnection`, anything else is written back and the connection closed.
 */
export class UpgradeProxy {
  constructor(
    private readonly authenticator: UserAuthenticator,
    private readonly router: TunnelRouter,
    private readonly inFlight: InFlightRequests,
    private readonly counters: ProxyCounters,
    private readonly limits: UpgradeLimits,
    private readonly settings: UpgradeSettings,
    private readonly refusals: RefusedRequestLog,
    private readonly log: Logger,
  ) {}

  readonly handle = (request: IncomingMessage, socket: Socket, head: Buffer): void => {
    const url = request.url ?? '/';
    const queryStart = url.indexOf('?');
    const entry: InFlightRequest = {
      startedAt: performance.now(),
      route: 'none',
      outcome: undefined,
      isWatch: false,
      method: request.method ?? 'GET',
      path: queryStart < 0 ? url : url.slice(0, queryStart),
    };
    const upgrade = request.headers.upgrade ?? '';
    const abort = new AbortController();
    let status = 0;
    let connection: UpgradedConnection | undefined;
    let release: (() => void) | undefined;
    this.inFlight.add(socket, entry);
    socket.on('error', () => {}); // the client may vanish; 'close' reports it
    socket.once('close', () => {
      // Closed by its client, or by kas (a cut, the idle timeout): either way the tunnel request is over.
      abort.abort(new Error("the client's connection closed"));
      release?.();
      this.inFlight.delete(socket);
      this.counters.record({
        status,
        durationSeconds: (performance.now() - entry.startedAt) / 1000,
        route: entry.route,
        outcome: entry.outcome ?? (connection?.ending === 'upstreamFailed' ? 'upstreamFailed' : 'completed'),
        upgrade: connection?.ending ?? 'notSwitched',
        ...identityOf(entry),
      });
    });
    const answer = (statusAnswer: StatusAnswer) => {
      status = statusAnswer.code;
      writeRawStatus(socket, statusAnswer);
    };
    const auth = this.authenticator.authenticate(request.headers.authorization);
    identify(entry, auth);
    if (auth.kind !== 'allowed') {
      const status = statusForAuthentication(auth);
      this.refusals.denied(request, auth, status.code);
      answer(status);
      return;
    }
    const targetProblem = requestTargetProblem(url, entry.path);
    if (targetProblem !== undefined) {
      answer({ code: 400, reason: 'BadRequest', message: targetProblem });
      return;
    }
    // Answers a request kas does not route (a limit, no tunnel, a failed forward), logged as a plain one is.
    const refuse = (error: unknown, extra: Readonly<Record<string, unknown>> = {}) => {
      const failure = statusForError(error, auth.agentId);
      logUnrouted(this.log, this.refusals, auth.agentId, error, failure, { upgrade, ...extra });
      answer(failure);
    };
    const slot = this.limits.take(auth.user, auth.agentId);
    if (typeof slot !== 'function') {
      const who = slot.scope === 'agent' ? `agent "${auth.agentId}"` : `user "${auth.user}"`;
      const key = `kubeProxy.maxUpgradesPer${slot.scope === 'agent' ? 'Agent' : 'User'}`;
      const error = new KubeProxyError(
        'KAS_UPGRADE_LIMIT_REACHED',
        `${who} already has ${slot.limit} exec, attach or port-forward connections open through this kas replica (${key}); close one and retry`,
        `close one of the open sessions, or raise ${key} in kas.yaml`,
      );
      refuse(error, { scope: slot.scope, limit: slot.limit });
      return;
    }
    release = slot;
    if (head.length > 0) socket.unshift(head);
    const tunnelRequest: TunnelRequest = {
      method: request.method ?? 'GET',
      path: entry.path,
      query: queryStart < 0 ? '' : url.slice(queryStart + 1),
      headers: upstreamRequestHeaders(request.rawHeaders),
      upgrade,
    };
    this.router.roundTrip(auth.agentId, tunnelRequest, socket, abort.signal).then(
      (routed) => {
        entry.route = routed.route;
        status = routed.response.status;
        if (routed.response.status !== 101) {
          relayRefusal(socket, routed);
          return;
        }
        connection = this.#switch(socket, routed, upgrade, auth.agentId, entry);
      },
      (error: unknown) => {
        if (abort.signal.aborted || socket.destroyed) return;
        refuse(error);
      },
    );
  };

  /** The upstream switched (`101`): relays the connection, and logs how it ends. */
  #switch(
    socket: Socket,
    routed: RoutedResponse,
    upgrade: string,
    agentId: string,
    entry: InFlightRequest,
  ): UpgradedConnection {
    const fields = { agentId, route: routed.route, upgrade };
    const switched = new UpgradedConnection(
      socket,
      routed.response,
      upgrade.toLowerCase(),
      this.settings.idleTimeoutMs,
      (error) =>
        // As for a streamed answer: says why the session ended early (the replica holding the
        // tunnel was cut at its stop, the connection to it was lost, the agent ended it).
        this.log.warn(
          {
            event: 'response.broken',
            ...fields,
            ...errorCodeOf(error),
            reason: error.message,
            ...causeOf(error),
          },
          `the upgraded connection to agent "${agentId}" broke off: ${error.message}`,
        ),
    );
    entry.cutUpgraded = (cut) => {
      // kas's own cut (the drain's line counts them at warn): neither a break nor the client leaving.
      this.log.info(
        { event: 'upgrade.cut', ...fields, reason: cut.reason },
        `kas cut the upgraded connection to agent "${agentId}" ${cut.inLog}`,
      );
      switched.end('cut', cut.toClient);
    };
    this.log.debug(
      { event: 'upgrade.switched', agentId, route: routed.route, protocol: upgrade },
      'connection switched protocols',
    );
    // A client ending its session is the ordinary end: told at debug only.
    socket.once('close', () =>
      this.log.debug(
        { event: 'upgrade.ended', ...fields, ending: switched.ending },
        `the upgraded connection to agent "${agentId}" ended (${switched.ending})`,
      ),
    );
    return switched;
  }
}

/** The upstream did not switch (an error `Status`, a 400): its answer goes back as it is, then the connection closes. */
function relayRefusal(socket: Socket, routed: RoutedResponse): void {
  const { status, headers, body } = routed.response;
  socket.write(rawResponseHead(status, clientResponseHeaders(headers, true)));
  body.on('data', (chunk: Buffer) => {
    if (!socket.write(chunk)) {
      body.pause();
      socket.once('drain', () => body.resume());
    }
  });
  body.once('end', () => {
    socket.end();
    closeAfterAnswer(socket);
  });
  body.once('error', () => socket.destroy());
  socket.once('close', () => {
    if (!body.readableEnded) body.destroy();
  });
}
