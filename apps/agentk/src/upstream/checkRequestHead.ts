import { validateHeaderName, validateHeaderValue } from 'node:http';
import type { RequestHead } from '@kas/tunnel-protocol';
import { AgentkError } from '../errors/AgentkError.js';

/** An HTTP method is a token (RFC 9110 section 9.1). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/**
 * What Node writes into a request target (visible ASCII and Latin-1: RFC 9112 section 3.2 asks for
 * ASCII, and Node passes the rest as bytes); `?` and `#` never in the path, `#` never in the query.
 */
const PATH_CHARACTERS = /^[\x21-\x22\x24-\x3e\x40-\x7e\x80-\xff]*$/;
const QUERY_CHARACTERS = /^[\x21-\x22\x24-\x7e\x80-\xff]*$/;
/** A `.` or `..` segment, also percent-encoded (`%2e`), which the API server would resolve. */
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;

/** A value for a message: short, and quoted so spaces and control characters show. */
function quoted(value: string): string {
  return JSON.stringify(value.length > 120 ? `${value.slice(0, 120)}…` : value);
}

function invalid(problem: string, fix: string): AgentkError {
  return new AgentkError('REQUEST_INVALID', `refused the request from kas: ${problem}`, fix);
}

/**
 * Throws `REQUEST_INVALID` naming the first thing wrong with a request head from kas: a method that is
 * not a token, a path that is not an absolute Kubernetes API path (it must start with `/` and hold no
 * empty, `.` or `..` segment, which would leave `--kube-api`'s path prefix), a character HTTP does not
 * allow in the path or query, or a header name or value (the `upgrade` field too) Node would refuse.
 */
export function checkRequestHead(head: RequestHead): void {
  if (!TOKEN.test(head.method))
    throw invalid(`the method ${quoted(head.method)} is not an HTTP token`, 'send a method such as GET');
  const { path } = head;
  if (!path.startsWith('/'))
    throw invalid(
      `the path ${quoted(path)} does not start with "/"`,
      'send an absolute path such as /api/v1',
    );
  if (!PATH_CHARACTERS.test(path))
    throw invalid(
      `the path ${quoted(path)} holds a space, a control character, "?", "#" or a character above U+00FF`,
      'percent-encode the path',
    );
  const segments = path.slice(1).split('/');
  // A trailing "/" leaves one empty last segment, which cannot climb out of the prefix.
  const isEmptyInside = segments.slice(0, -1).some((segment) => segment === '');
  if (isEmptyInside || segments.some((segment) => DOT_SEGMENT.test(segment)))
    throw invalid(
      `the path ${quoted(path)} holds an empty, "." or ".." segment, which would leave the --kube-api path`,
      'send the path without "//", "/./" or "/../" (Kubernetes API paths have none)',
    );
  if (!QUERY_CHARACTERS.test(head.query))
    throw invalid(
      `the query ${quoted(head.query)} holds a space, a control character, "#" or a character above U+00FF`,
      'percent-encode the query',
    );
  for (const { name, values } of head.headers) {
    try {
      validateHeaderName(name);
    } catch {
      throw invalid(
        `the header name ${quoted(name)} is not an HTTP token`,
        'send header names that are tokens',
      );
    }
    for (const value of values) {
      try {
        validateHeaderValue(name, value);
      } catch {
        throw invalid(
          `the value of header ${quoted(name)} holds CR, LF, NUL or a character above U+00FF`,
          'send header values without line breaks',
        );
      }
    }
  }
  if (head.upgrade !== '' && !TOKEN.test(head.upgrade.replaceAll('/', '')))
    throw invalid(
      `the upgrade protocol ${quoted(head.upgrade)} is not a protocol name`,
      'send a protocol such as websocket or SPDY/3.1',
    );
}

/**
 * The error frame for a request that could not be started: `checkRequestHead`'s refusal as it is, or
 * whatever else Node threw building the request (a header it refuses that the check did not foresee).
 */
export function refusalOf(error: unknown): { readonly code: 'REQUEST_INVALID'; readonly message: string } {
  if (error instanceof AgentkError && error.code === 'REQUEST_INVALID')
    return { code: 'REQUEST_INVALID', message: error.message };
  const reason = error instanceof Error ? error.message : String(error);
  return { code: 'REQUEST_INVALID', message: `agentk could not build the upstream request: ${reason}` };
}
