import { validateHeaderName, validateHeaderValue } from 'node:http';
import type { HeaderRecord } from '@kas/tunnel-protocol';

/** What an agent's response head promises about its body, once the head passed the checks. */
export interface CheckedResponseHead {
  /** Body bytes the head announces (`Content-Length`), or undefined when the body is not sized. */
  readonly bodyLength: number | undefined;
}

/**
 * Checks a response head an agent sent before any of it reaches a client: a final status (200–599, or
 * 101 for an upgrade request), header names and values Node can write, and one `Content-Length` (a
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
