import type { ServerResponse } from 'node:http';

/** A failure answered as a Kubernetes `Status`, which kubectl prints as `Error from server (<reason>): <message>`. */
export interface StatusAnswer {
  readonly code: number;
  /** A Kubernetes `StatusReason`, e.g. `Unauthorized`, `Forbidden`, `NotFound`, `ServiceUnavailable`, `Timeout`. */
  readonly reason: string;
  readonly message: string;
  /** Sent as `Retry-After` and `details.retryAfterSeconds`: clients such as client-go wait and retry. */
  readonly retryAfterSeconds?: number;
  /** The object the failure is about; here, the agent. */
  readonly agentId?: string;
}

/** The JSON `Status` body for an answer, as the Kubernetes API server writes it. */
export function statusBody(answer: StatusAnswer): string {
  const details: Record<string, unknown> = {};
  if (answer.agentId !== undefined) Object.assign(details, { name: answer.agentId, kind: 'agent' });
  if (answer.retryAfterSeconds !== undefined) details.retryAfterSeconds = answer.retryAfterSeconds;
  return JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: answer.message,
    reason: answer.reason,
    ...(Object.keys(details).length > 0 ? { details } : {}),
    code: answer.code,
  });
}

/** Answers the request with a `Status`; `closeConnection` adds `Connection: close` (the proxy is draining). */
export function sendStatus(response: ServerResponse, answer: StatusAnswer, closeConnection: boolean): void {
  const body = statusBody(answer);
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'cache-control': 'no-cache, private',
    'content-length': Buffer.byteLength(body),
  };
  if (answer.retryAfterSeconds !== undefined) headers['retry-after'] = answer.retryAfterSeconds;
  if (answer.code === 401) headers['www-authenticate'] = 'Bearer realm="kas"';
  if (closeConnection) headers.connection = 'close';
  response.writeHead(answer.code, headers).end(body);
}
