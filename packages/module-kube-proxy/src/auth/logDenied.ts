import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { Authentication } from './UserAuthenticator.js';

/**
 * The audit line of a request the kube proxy refused before routing it (401, 403, 404 for an agent no
 * user may reach): who (the user, when the token's secret was known), for which agent (as the token
 * names it), why, and what was asked. Never the token or its secret.
 */
export function logDenied(
  log: Logger,
  request: IncomingMessage,
  auth: Exclude<Authentication, { kind: 'allowed' }>,
  status: number,
): void {
  const url = request.url ?? '/';
  const queryStart = url.indexOf('?');
  const reason =
    auth.kind === 'unauthenticated'
      ? auth.reason
      : auth.kind === 'forbidden'
        ? 'the user may not reach this agent'
        : 'no user may reach an agent of this id';
  log.info(
    {
      event: 'request.denied',
      status,
      user: 'user' in auth ? auth.user : undefined,
      agentId: auth.agentId,
      reason,
      method: request.method,
      path: queryStart < 0 ? url : url.slice(0, queryStart),
      remoteAddress: request.socket.remoteAddress,
    },
    `denied ${request.method} for ${'user' in auth ? `user "${auth.user}"` : 'an unauthenticated client'}${auth.agentId === undefined ? '' : ` to agent "${auth.agentId}"`}: ${status} ${reason}`,
  );
}
