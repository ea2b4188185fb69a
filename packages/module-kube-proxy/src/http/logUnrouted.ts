import type { Logger } from 'pino';
import type { RefusedRequestLog } from '../auth/RefusedRequestLog.js';
import type { StatusAnswer } from './kubeStatus.js';

/**
 * The one line of a request that kas answered itself because it could not, or would not, route it (no
 * tunnel within the tunnel wait, a forward that failed, an upgrade over its limit): `request.unrouted`,
 * info, with `agentId`, `status`, `code`, `fix`, the error's own message (which may name a replica and
 * its address: the user's `Status` does not) and its `cause`. An error kas has no answer for is
 * `request.failed`, at error level, with the error. Plain requests and upgrades alike; `extra` adds
 * fields of the request's kind. Refusals by authentication are `request.denied` (see `RefusedRequestLog`).
 * The `request.unrouted` lines are rate-limited by `refusals` (a summary by code beyond the first 20 of
 * each 10 s); `request.failed` lines are not.
 */
export function logUnrouted(
  log: Logger,
  refusals: RefusedRequestLog,
  agentId: string,
  error: unknown,
  answer: StatusAnswer & { readonly isKnown: boolean },
  extra: Readonly<Record<string, unknown>> = {},
): void {
  if (!answer.isKnown) {
    log.error({ event: 'request.failed', agentId, ...extra, err: error }, answer.message);
    return;
  }
  const code = codeOf(error);
  refusals.unrouted(
    String(code),
    {
      event: 'request.unrouted',
      agentId,
      status: answer.code,
      code,
      fix: (error as { fix?: unknown } | undefined)?.fix,
      ...extra,
      // What the user is not shown: e.g. which replica (at which address) answered what.
      ...causeOf(error),
    },
    messageOf(error),
  );
}

/** The cause of an error, for the log: its code and message. */
export function causeOf(error: unknown): { cause?: { code: unknown; message: string } } {
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  return cause === undefined ? {} : { cause: { code: codeOf(cause), message: messageOf(cause) } };
}

/** The error's own `code` (a `KAS_*` code), for the log: `{}` when it has none that is a string. */
export function errorCodeOf(error: unknown): { code?: string } {
  const code = codeOf(error);
  return typeof code === 'string' ? { code } : {};
}

function codeOf(error: unknown): unknown {
  return (error as { code?: unknown } | undefined)?.code;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
