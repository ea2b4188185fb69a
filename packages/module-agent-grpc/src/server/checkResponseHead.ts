import { validateHeaderName, validateHeaderValue } from 'node:http';
import type { HeaderRecord } from '@kas/tunnel-protocol';

/** What an agent's response head promises about its body, once the head passed the checks. */
export interface CheckedResponseHead {
  /** Body bytes the head announces (`Content-Length`), or undefined when the body is not sized. */
  readonly bodyLength: number | undefined;
}

/**
 * The most a response head may hold (names and values, as HTTP/1.1 writes them) and how many header lines:
 * agentk reads its upstream's heads with Node's limit (16 KiB), and a head past these is no answer of a
 * Kubernetes API that kas should hold in memory and hand to a client (whose own limit it may break).
 */
export const MAX_RESPONSE_HEAD_BYTES = 64 * 1024;
export const MAX_RESPONSE_HEADER_LINES = 256;

/**
 * Checks a response head an agent sent before any of it reaches a client: a final status (200–599, or
 * 101 for an upgrade request), header names and values Node can write, a head within
 * `MAX_RESPONSE_HEAD_BYTES` and `MAX_RESPONSE_HEADER_LINES`, and one `Content-Length` (a
 * number repeated is one; two different ones are not). Returns what is wrong in words, or the checked
 * head. Without this, a status Node refuses to write was a 500 "kas could not proxy" blamed on no agent,
 * a 1xx or 101 answer left a plain request hanging, and a body longer than its `Content-Length` went on
 * the client's keep-alive connection as the start of the next answer.
 */
export function checkResponseHead(
  head: { readonly status: number; readonly headers: HeaderRecord },
  request: { readonly method: string; readonly isUpgrade: boolean },
): CheckedResponseHead | string {
  const { status, headers } = head;
  const isSwitch = status === 101 && request.isUpgrade;
  if (!Number.isInteger(status) || ((status < 200 || status > 599) && !isSwitch)) {
    return `status ${status} is not a final HTTP status${request.isUpgrade ? ' (200-599, or 101 for an upgrade)' : ' (200-599)'}`;
  }
  let bytes = 0;
  let lines = 0;
  for (const name in headers) {
    for (const value of headers[name] ?? []) {
      bytes += name.length + value.length + 4; // `name: value\r\n`
      lines += 1;
    }
  }
  if (bytes > MAX_RESPONSE_HEAD_BYTES || lines > MAX_RESPONSE_HEADER_LINES) {
    return `the head is too large: ${lines} header lines of ${bytes} bytes (at most ${MAX_RESPONSE_HEADER_LINES} lines, ${MAX_RESPONSE_HEAD_BYTES} bytes)`;
  }
  for (const name in headers) {
    try {
      validateHeaderName(name);
      for (const value of headers[name] ?? []) validateHeaderValue(name, value);
    } catch (error) {
      return `header ${JSON.stringify(name.slice(0, 64))} cannot be written: ${(error as Error).message.slice(0, 200)}`;
    }
  }
  const lengths = new Set(
    (headers['content-length'] ?? []).flatMap((value) => value.split(',').map((part) => part.trim())),
  );
  if (lengths.size > 1) return `the response has ${lengths.size} different Content-Length values`;
  const [length] = lengths;
  if (length === undefined || isSwitch) return { bodyLength: undefined };
  if (!/^\d{1,15}$/.test(length))
    return `Content-Length ${JSON.stringify(length.slice(0, 32))} is not a number`;
  // These answers carry no body whatever their Content-Length says.
  const hasNoBody = request.method === 'HEAD' || status === 204 || status === 304;
  return { bodyLength: hasNoBody ? 0 : Number(length) };
}
