import type { ServerResponse } from 'node:http';
import type { FakeKubeApiErrorCode } from '../errors/errorCodes.js';
import type { FakeKubeApiError } from '../errors/FakeKubeApiError.js';
import type { KubeStatus, StatusDetails } from '../objects/KubeObject.js';

/** Answers a JSON body with the headers the real server sends. */
export function sendJson(response: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
  });
  response.end(text);
}

/** A failure `Status` (`kind: Status`, `status: Failure`) with the HTTP code and reason given. */
export function failureStatus(
  code: number,
  reason: string,
  message: string,
  details?: StatusDetails,
): KubeStatus {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details === undefined ? {} : { details }),
    code,
  };
}

/** Answers a `Status` body with its own code. */
export function sendStatus(response: ServerResponse, status: KubeStatus): void {
  sendJson(response, status.code, status);
}

const HTTP_ANSWERS: Readonly<Record<FakeKubeApiErrorCode, readonly [number, string]>> = {
  KAS_FAKE_KUBE_NOT_FOUND: [404, 'NotFound'],
  KAS_FAKE_KUBE_UNKNOWN_RESOURCE: [404, 'NotFound'],
  KAS_FAKE_KUBE_ALREADY_EXISTS: [409, 'AlreadyExists'],
  KAS_FAKE_KUBE_CONFLICT: [409, 'Conflict'],
  KAS_FAKE_KUBE_INVALID_OBJECT: [422, 'Invalid'],
  KAS_FAKE_KUBE_BAD_REQUEST: [400, 'BadRequest'],
  KAS_FAKE_KUBE_GONE: [410, 'Expired'],
  KAS_FAKE_KUBE_INVALID_OPTION: [500, 'InternalError'],
  KAS_FAKE_KUBE_LISTEN_FAILED: [500, 'InternalError'],
};

/** The `Status` a client receives for an error of the store or of request parsing. */
export function statusForError(error: FakeKubeApiError): KubeStatus {
  const [code, reason] = HTTP_ANSWERS[error.code];
  return failureStatus(code, reason, error.message, error.details);
}

/** 415: the request body's `Content-Type` is not one the fake reads. */
export function unsupportedMediaType(accepted: string, note = ''): KubeStatus {
  return failureStatus(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted}${note}`,
  );
}
