import { FakeKubeApiError } from '../errors/FakeKubeApiError.js';
import type { WatchEvent } from '../objects/KubeObject.js';
import { parseFieldSelector, parseLabelSelector } from '../objects/parseSelector.js';
import { badRequest } from '../objects/storeErrors.js';
import type { StoreEvent } from '../objects/WatchHub.js';
import type { ApiContext, ApiRequest } from './ApiContext.js';
import type { Representation } from './negotiateRepresentation.js';
import type { ResourcePath } from './parseResourcePath.js';
import { statusForError } from './sendJson.js';
import { parseIncludeObject, toTable } from './toTable.js';

/**
 * A watch (`?watch=true`): a chunked stream of JSON watch events, one per line, each written (and so
 * flushed) as the change happens; held open until the client goes away, `timeoutSeconds` passes or the
 * server stops. A `resourceVersion` older than the kept history answers one `ERROR` event (410 Expired).
 * `sendInitialEvents=true` sends the current objects, then a `BOOKMARK` marking their end.
 */
export function serveWatch(
  context: ApiContext,
  { request, response, url }: ApiRequest,
  path: ResourcePath,
  representation: Representation,
): void {
  const query = url.searchParams;
  const timeoutMs = parseTimeoutMs(query.get('timeoutSeconds'));
  const labels = parseLabelSelector(query.get('labelSelector') ?? undefined);
  const fields = parseFieldSelector(query.get('fieldSelector') ?? undefined);
  const nameField = path.name === undefined ? () => true : parseFieldSelector(`metadata.name=${path.name}`);
  const sendsInitialEvents = query.get('sendInitialEvents') === 'true';
  const render = (event: StoreEvent): WatchEvent => {
    if (representation.kind === 'object') return { type: event.type, object: event.object };
    const table = toTable(path.resource, [event.object], {
      version: representation.version,
      includeObject: parseIncludeObject(query.get('includeObject')),
      listMetadata: { resourceVersion: event.object.metadata.resourceVersion },
      nowMs: Date.now(),
    });
    return { type: event.type, object: table };
  };
  const write = (event: WatchEvent) => response.write(`${JSON.stringify(event)}\n`);

  // Events replayed while subscribing wait until the response head is out.
  const replayed: StoreEvent[] = [];
  let isLive = false;
  let unsubscribe: () => void;
  try {
    unsubscribe = context.store.watch(
      {
        resource: path.resource.name,
        ...(path.namespace === undefined ? {} : { namespace: path.namespace }),
        ...(sendsInitialEvents ? {} : { resourceVersion: query.get('resourceVersion') ?? undefined }),
        matches: (object) => labels(object) && fields(object) && nameField(object),
      },
      (event) => {
        if (isLive) write(render(event));
        else replayed.push(event);
      },
    );
  } catch (error) {
    if (!(error instanceof FakeKubeApiError) || error.code !== 'KAS_FAKE_KUBE_GONE') throw error;
    writeHead(response);
    write({ type: 'ERROR', object: statusForError(error) });
    response.end();
    return;
  }
  writeHead(response);
  request.socket.setNoDelay(true);
  for (const event of replayed) write(render(event));
  isLive = true;
  if (sendsInitialEvents) write(initialEventsEnd(path, context.store.resourceVersion));

  let timer: NodeJS.Timeout | undefined;
  const release = () => {
    unsubscribe();
    clearTimeout(timer);
    forget();
  };
  const end = () => {
    release();
    response.end();
  };
  const forget = context.streams.add(end);
  if (timeoutMs !== undefined) timer = setTimeout(end, timeoutMs);
  response.once('close', release);
}

function writeHead(response: ApiRequest['response']): void {
  response.writeHead(200, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  response.flushHeaders();
}

function initialEventsEnd(path: ResourcePath, resourceVersion: string): WatchEvent {
  return {
    type: 'BOOKMARK',
    object: {
      kind: path.resource.kind,
      apiVersion: 'v1',
      metadata: { resourceVersion, annotations: { 'k8s.io/initial-events-end': 'true' } },
    },
  };
}

function parseTimeoutMs(text: string | null): number | undefined {
  if (text === null || text === '') return undefined;
  const seconds = Number(text);
  if (!Number.isSafeInteger(seconds) || seconds < 0) {
    throw badRequest(`invalid timeoutSeconds "${text}"`, 'pass a whole number of seconds');
  }
  return seconds === 0 ? undefined : seconds * 1000;
}
