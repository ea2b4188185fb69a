import type { LogLine } from '../objects/PodLogs.js';
import { badRequest } from '../objects/storeErrors.js';
import type { ApiContext, ApiRequest } from './ApiContext.js';
import { isTrueQueryValue } from './isTrueQueryValue.js';
import type { ResourcePath } from './parseResourcePath.js';

/**
 * `GET pods/<name>/log`: the container's lines as `text/plain` (`tailLines`, `sinceSeconds`,
 * `sinceTime`, `limitBytes` and `timestamps` honoured as the kubelet honours them); with `follow=true`,
 * then each new line as it is appended, until the client goes away, `limitBytes` is reached, the pod is
 * deleted, the container restarts or the server stops. `previous=true` gives the lines of the container's
 * run before its last restart, and is refused as the real server refuses it for a container that never
 * restarted.
 */
export function serveLogs(
  context: ApiContext,
  { request, response, url }: ApiRequest,
  path: ResourcePath & { readonly name: string; readonly namespace: string },
): void {
  const query = url.searchParams;
  const container = context.store.containerOf(path.name, path.namespace, query.get('container') ?? undefined);
  const options = parseLogOptions(query);
  const isPrevious = isTrueQueryValue(query.get('previous'));
  const previous = context.store.logs.previousLines(path.namespace, path.name, container);
  if (isPrevious && previous === undefined) {
    throw badRequest(
      `previous terminated container "${container}" in pod "${path.name}" not found`,
      'leave out previous (--previous): the container has not restarted, so there is no earlier log',
    );
  }
  const format = (line: LogLine) => `${options.hasTimestamps ? `${line.timestamp} ` : ''}${line.text}\n`;
  const since = options.since;
  const lines = (
    isPrevious ? (previous ?? []) : context.store.logs.lines(path.namespace, path.name, container)
  ).filter((line) => since === undefined || Date.parse(line.timestamp) >= since);
  const tailLines = options.tailLines;
  const shown = tailLines === undefined ? lines : lines.slice(Math.max(lines.length - tailLines, 0));
  let bytesLeft = options.limitBytes ?? Number.POSITIVE_INFINITY;
  /** The text within `limitBytes` (cut mid-line, as the kubelet cuts), counted off what is left. */
  const limited = (text: string): Buffer => {
    const bytes = Buffer.from(text);
    const kept = bytes.length <= bytesLeft ? bytes : bytes.subarray(0, bytesLeft);
    bytesLeft -= kept.length;
    return kept;
  };

  response.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private' });
  const initial = limited(shown.map(format).join(''));
  // A previous run has ended: there is nothing to follow.
  if (!isTrueQueryValue(query.get('follow')) || isPrevious || bytesLeft === 0) {
    response.end(initial);
    return;
  }
  response.flushHeaders();
  request.socket.setNoDelay(true);
  if (initial.length > 0) response.write(initial);
  const unfollow = context.store.logs.follow(path.namespace, path.name, container, (line) => {
    if (line === 'ended') {
      end();
      return;
    }
    response.write(limited(format(line)));
    if (bytesLeft === 0) end();
  });
  const release = () => {
    unfollow();
    forget();
  };
  const end = () => {
    release();
    response.end();
  };
  const forget = context.streams.add(end);
  response.once('close', release);
}

interface LogOptions {
  readonly tailLines: number | undefined;
  /** Lines written before this time (ms since the epoch) are left out. */
  readonly since: number | undefined;
  readonly limitBytes: number | undefined;
  readonly hasTimestamps: boolean;
}

/** The query parameters of a log request, checked as the real server checks `PodLogOptions`. */
function parseLogOptions(query: URLSearchParams): LogOptions {
  const tailLines = parseCount(query, 'tailLines', 0, 'pass a whole number of lines');
  const sinceSeconds = parseCount(query, 'sinceSeconds', 1, 'pass a whole number of seconds, 1 or more');
  const limitBytes = parseCount(query, 'limitBytes', 1, 'pass a whole number of bytes, 1 or more');
  const sinceTimeText = query.get('sinceTime') ?? '';
  const sinceTime = sinceTimeText === '' ? undefined : Date.parse(sinceTimeText);
  if (sinceTime !== undefined && Number.isNaN(sinceTime)) {
    throw badRequest(
      `invalid sinceTime "${sinceTimeText}"`,
      'pass an RFC 3339 time, such as 2024-01-31T12:00:00Z',
    );
  }
  if (sinceSeconds !== undefined && sinceTime !== undefined) {
    throw badRequest(
      'at most one of `sinceTime` or `sinceSeconds` may be specified',
      'pass only one of sinceTime (--since-time) and sinceSeconds (--since)',
    );
  }
  return {
    tailLines,
    since: sinceSeconds !== undefined ? Date.now() - sinceSeconds * 1000 : sinceTime,
    limitBytes,
    hasTimestamps: isTrueQueryValue(query.get('timestamps')),
  };
}

function parseCount(query: URLSearchParams, name: string, minimum: number, fix: string): number | undefined {
  const text = query.get(name);
  if (text === null || text === '') return undefined;
  const count = Number(text);
  if (!Number.isSafeInteger(count) || count < minimum) throw badRequest(`invalid ${name} "${text}"`, fix);
  return count;
}
