import { compareObjects } from '../objects/InMemoryObjectStore.js';
import type { KubeObject } from '../objects/KubeObject.js';
import { parseFieldSelector, parseLabelSelector } from '../objects/parseSelector.js';
import { badRequest } from '../objects/storeErrors.js';
import type { ApiContext, ApiRequest } from './ApiContext.js';
import { checkRequestBody } from './checkRequestBody.js';
import type { Representation } from './negotiateRepresentation.js';
import type { ResourcePath } from './parseResourcePath.js';
import { readObjectBody } from './readJsonBody.js';
import { sendJson, sendStatus, unsupportedMediaType } from './sendJson.js';
import { parseIncludeObject, toTable } from './toTable.js';

/** `GET` of a collection: the list (or its Table), filtered by selectors, paged by `limit`/`continue`. */
export function serveList(
  context: ApiContext,
  { response, url }: ApiRequest,
  path: ResourcePath,
  representation: Representation,
): void {
  const query = url.searchParams;
  const labels = parseLabelSelector(query.get('labelSelector') ?? undefined);
  const fields = parseFieldSelector(query.get('fieldSelector') ?? undefined);
  const all = context.store
    .list(path.resource.name, path.namespace)
    .filter((object) => labels(object) && fields(object));
  const page = paginate(all, query.get('limit'), query.get('continue'), context.store.resourceVersion);
  const listMetadata = {
    resourceVersion: page.resourceVersion,
    ...(page.continueToken === undefined
      ? {}
      : { continue: page.continueToken, remainingItemCount: page.remainingItemCount }),
  };
  if (representation.kind === 'table') {
    sendJson(
      response,
      200,
      toTable(path.resource, page.items, {
        version: representation.version,
        includeObject: parseIncludeObject(query.get('includeObject')),
        listMetadata,
        nowMs: Date.now(),
      }),
    );
    return;
  }
  sendJson(response, 200, {
    kind: `${path.resource.kind}List`,
    apiVersion: 'v1',
    metadata: listMetadata,
    // The real server leaves kind and apiVersion out of list items.
    items: page.items.map(({ kind: _kind, apiVersion: _apiVersion, ...item }) => item),
  });
}

/** `POST` to a collection: creates the object (a client cannot set `status` on create) and answers 201. */
export async function serveCreate(
  context: ApiContext,
  { request, response }: ApiRequest,
  path: ResourcePath,
) {
  const read = await readObjectBody(request);
  if (read === undefined) {
    sendStatus(response, unsupportedMediaType('application/json, application/vnd.kubernetes.protobuf'));
    return;
  }
  const input = checkRequestBody(read.object, path);
  const { status: _status, ...withoutStatus } = input;
  const created = context.store.create(path.resource.name, path.resource.hasStatus ? withoutStatus : input);
  sendJson(response, 201, created);
}

interface Page {
  readonly items: readonly KubeObject[];
  readonly resourceVersion: string;
  readonly continueToken?: string;
  readonly remainingItemCount?: number;
}

/**
 * One page of a list. The continue token carries the last name served and the list's version; unlike
 * the real server, later pages show the objects as they are now, not as they were at that version.
 */
function paginate(
  all: readonly KubeObject[],
  limitText: string | null,
  token: string | null,
  version: string,
): Page {
  let items = all;
  let resourceVersion = version;
  if (token !== null && token !== '') {
    const { namespace, name, resourceVersion: listVersion } = parseContinueToken(token);
    const after = { metadata: { namespace, name } } as KubeObject;
    items = items.filter((object) => compareObjects(object, after) > 0);
    resourceVersion = listVersion;
  }
  const limit = limitText === null ? 0 : Number(limitText);
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw badRequest(`invalid limit "${limitText}"`, 'pass a positive whole number as limit');
  }
  if (limit === 0 || items.length <= limit) return { items, resourceVersion };
  const served = items.slice(0, limit);
  const last = served.at(-1);
  const continueToken = Buffer.from(
    JSON.stringify({
      namespace: last?.metadata.namespace ?? '',
      name: last?.metadata.name ?? '',
      resourceVersion,
    }),
  ).toString('base64url');
  return { items: served, resourceVersion, continueToken, remainingItemCount: items.length - limit };
}

function parseContinueToken(token: string): { namespace: string; name: string; resourceVersion: string } {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Record<string, unknown>;
    const { namespace, name, resourceVersion } = parsed;
    if (typeof namespace === 'string' && typeof name === 'string' && typeof resourceVersion === 'string') {
      return { namespace, name, resourceVersion };
    }
  } catch {
    // falls through to the error below: the token is not one this server made
  }
  throw badRequest('invalid continue token', 'pass the metadata.continue of the previous page unchanged');
}
