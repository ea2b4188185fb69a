import type { LogLine } from '../objects/PodLogs.js';
import { badRequest } from '../objects/storeErrors.js';
import type { ApiContext, ApiRequest } from './ApiContext.js';
import { isTrueQueryValue } from './isTrueQueryValue.js';
import type { ResourcePath } from './parseResourcePath.js';

/**
 * `GET pods/<name>/log`: the container's lines as `text/plain` (`tailLines` and `timestamps` honoured);
 * with `follow=true`, then each new line as it is appended, until the client goes away, the pod is
 * deleted or the server stops.
 */
export function serveLogs(
  context: ApiContext,
  { request, response, url }: ApiRequest,
  path: ResourcePath & { readonly name: string; readonly namespace: string },
): void {
  const query = url.searchParams;
  const container = context.store.containerOf(path.name, path.namespace, query.get('container') ?? undefined);
  const tailLines = parseTailLines(query.get('tailLines'));
  const hasTimestamps = isTrueQueryValue(query.get('timestamps'));
  const format = (line: LogLine) => `${hasTimestamps ? `${line.timestamp} ` : ''}${line.text}\n`;
  const lines = context.store.logs.lines(path.namespace, path.name, container);
  const shown = tailLines === undefined ? lines : lines.slice(Math.max(lines.length - tailLines, 0));

  response.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private' });
  if (!isTrueQueryValue(query.get('follow'))) {
    response.end(shown.map(format).join(''));
    return;
  }
  response.flushHeaders();
  request.socket.setNoDelay(true);
  for (const line of shown) response.write(format(line));
  const unfollow = context.store.logs.follow(path.namespace, path.name, container, (line) => {
    if (line === 'ended') end();
    else response.write(format(line));
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

function parseTailLines(text: string | null): number | undefined {
  if (text === null || text === '') return undefined;
  const count = Number(text);
  if (!Number.isSafeInteger(count) || count < 0) {
    throw badRequest(`invalid tailLines "${text}"`, 'pass a whole number of lines');
  }
  return count;
}
