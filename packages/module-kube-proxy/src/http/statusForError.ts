import type { Authentication } from '../auth/UserAuthenticator.js';
import type { StatusAnswer } from './kubeStatus.js';

/**
 * Seconds a client is asked to wait before it sends again a request that should go through within
 * seconds (a replica stopping, the agent moving, Redis restarting). client-go (kubectl) retries an answer
 * with Retry-After up to 10 times, waiting this long each time: 1 s keeps a user's wait short when the
 * retries do not help either. An answer retrying cannot mend carries none, and kubectl prints it at once.
 */
const TRANSIENT_RETRY_AFTER_SECONDS = 1;

/** The `Status` for a request the authenticator did not allow. */
export function statusForAuthentication(auth: Exclude<Authentication, { kind: 'allowed' }>): StatusAnswer {
  switch (auth.kind) {
    case 'unauthenticated':
      return { code: 401, reason: 'Unauthorized', message: `Unauthorized: ${auth.reason}` };
    case 'unknownAgent':
      return {
        code: 404,
        reason: 'NotFound',
        message: `agent "${auth.agentId}" does not exist: no user of kas may reach an agent of that id (check the agent id in your token)`,
        agentId: auth.agentId,
      };
    case 'forbidden':
      return {
        code: 403,
        reason: 'Forbidden',
        message: `user "${auth.user}" may not reach agent "${auth.agentId}"`,
        agentId: auth.agentId,
      };
    default: {
      const unhandled: never = auth;
      throw new Error(`unhandled authentication ${JSON.stringify(unhandled)}`);
    }
  }
}

/**
 * The `Status` for a request that could not be sent or answered, by the error's code. Its message is the
 * error's `clientMessage` when it has one (a failed forward: no replica's address in it, while the error's
 * own message, for the log, names it), else the error's message. Unknown errors are a 500 and the caller
 * logs them.
 */
export function statusForError(
  error: unknown,
  agentId: string,
): StatusAnswer & { readonly isKnown: boolean } {
  const code = (error as { code?: unknown } | undefined)?.code;
  const clientMessage = (error as { clientMessage?: unknown } | undefined)?.clientMessage;
  const message =
    typeof clientMessage === 'string'
      ? clientMessage
      : error instanceof Error
        ? error.message
        : String(error);
  switch (code) {
    case 'KAS_AGENT_NOT_CONNECTED': {
      // kas already waited the tunnel wait for the agent to come back (an agent moving between replicas
      // is back within a second): retrying would only make the user wait ten times as long for this answer.
      const fix = (error as { fix?: unknown }).fix;
      return {
        code: 503,
        reason: 'ServiceUnavailable',
        message: typeof fix === 'string' ? `${message}; ${fix}` : message,
        agentId,
        isKnown: true,
      };
    }
    case 'KAS_TUNNEL_DIRECTORY_UNAVAILABLE':
    case 'KAS_FORWARD_REFUSED':
    case 'KAS_REPLICA_STOPPING':
    case 'KAS_TUNNEL_UNAVAILABLE':
      return {
        code: 503,
        reason: 'ServiceUnavailable',
        message,
        agentId,
        retryAfterSeconds: TRANSIENT_RETRY_AFTER_SECONDS,
        isKnown: true,
      };
    case 'KAS_UPGRADE_UNSUPPORTED':
      return { code: 501, reason: 'NotImplemented', message, agentId, isKnown: true };
    case 'KAS_UPGRADE_LIMIT_REACHED':
    case 'KAS_LONG_RUNNING_LIMIT_REACHED':
      return {
        code: 429,
        reason: 'TooManyRequests',
        message,
        agentId,
        retryAfterSeconds: TRANSIENT_RETRY_AFTER_SECONDS,
        isKnown: true,
      };
    case 'KAS_TUNNEL_WAIT_TIMEOUT':
      return {
        code: 504,
        reason: 'Timeout',
        message,
        agentId,
        retryAfterSeconds: TRANSIENT_RETRY_AFTER_SECONDS,
        isKnown: true,
      };
    case 'KAS_AGENT_REQUEST_FAILED':
    case 'KAS_AGENT_ANSWER_INVALID':
    case 'KAS_TUNNEL_BROKEN':
    case 'KAS_FORWARD_FAILED':
      return { code: 502, reason: 'BadGateway', message, agentId, isKnown: true };
    default:
      return {
        code: 500,
        reason: 'InternalError',
        message: `kas could not proxy the request to agent "${agentId}": ${message}`,
        agentId,
        isKnown: false,
      };
  }
}
