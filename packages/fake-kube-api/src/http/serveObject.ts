import type { KubeObject, KubeObjectInput } from '../objects/KubeObject.js';
import { badRequest, conflict, notFound } from '../objects/storeErrors.js';
import { applyPatch, patchTypeOf } from '../patch/applyPatch.js';
import type { ApiContext, ApiRequest } from './ApiContext.js';
import { checkRequestBody } from './checkRequestBody.js';
import type { Representation } from './negotiateRepresentation.js';
import type { ResourcePath } from './parseResourcePath.js';
import { readJsonBody, readObjectBody } from './readJsonBody.js';
import { sendJson, sendStatus, unsupportedMediaType } from './sendJson.js';
import { parseIncludeObject, toTable } from './toTable.js';

type NamedPath = ResourcePath & { readonly name: string };

/** `GET` of one object (or of its `status`): the object, or a one-row Table. */
export function serveGet(
  context: ApiContext,
  { response, url }: ApiRequest,
  path: NamedPath,
  representation: Representation,
): void {
  const object = requireStored(context, path);
  if (representation.kind === 'object') {
    sendJson(response, 200, object);
    return;
  }
  sendJson(
    response,
    200,
    toTable(path.resource, [object], {
      version: representation.version,
      includeObject: parseIncludeObject(url.searchParams.get('includeObject')),
      listMetadata: { resourceVersion: object.metadata.resourceVersion },
      nowMs: Date.now(),
    }),
  );
}

/** `PUT`: replaces the object; the main resource keeps the stored status, `/status` changes only it. */
export async function serveReplace(context: ApiContext, { request, response }: ApiRequest, path: NamedPath) {
  const read = await readObjectBody(request);
  if (read === undefined) {
    sendStatus(response, unsupportedMediaType('application/json, application/vnd.kubernetes.protobuf'));
    return;
  }
  const body = checkRequestBody(read.object, path);
  const stored = requireStored(context, path);
  sendJson(response, 200, context.store.update(path.resource.name, merged(path, stored, body)));
}

/** `PATCH` with a JSON patch, a merge patch or a strategic merge patch (what `kubectl apply` sends). */
export async function servePatch(context: ApiContext, { request, response }: ApiRequest, path: NamedPath) {
  const contentType = request.headers['content-type'];
  const type = patchTypeOf(contentType);
  if (type === undefined) {
    const isApply = (contentType ?? '').startsWith('application/apply-patch');
    sendStatus(
      response,
      unsupportedMediaType(
        'application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json',
        isApply ? ' (the fake does not serve server-side apply)' : '',
      ),
    );
    return;
  }
  const patch = await readJsonBody(request);
  const stored = requireStored(context, path);
  const patched = applyPatch(type, stored, patch);
  const metadata = patched.metadata ?? {};
  if (metadata.name !== stored.metadata.name || metadata.namespace !== stored.metadata.namespace) {
    throw badRequest(
      'a patch cannot change metadata.name or metadata.namespace',
      'create a new object instead',
    );
  }
  sendJson(response, 200, context.store.update(path.resource.name, merged(path, stored, patched)));
}

/** `DELETE`: honours `preconditions`; answers the deleted pod, or a success `Status` for most kinds. */
export async function serveDelete(context: ApiContext, { request, response }: ApiRequest, path: NamedPath) {
  const options = await readJsonBody(request);
  const stored = requireStored(context, path);
  const preconditions = (
    options as { preconditions?: { uid?: string; resourceVersion?: string } } | undefined
  )?.preconditions;
  const isStale =
    (preconditions?.uid !== undefined && preconditions.uid !== stored.metadata.uid) ||
    (preconditions?.resourceVersion !== undefined &&
      preconditions.resourceVersion !== stored.metadata.resourceVersion);
  if (isStale) throw conflict(path.resource, path.name);
  const deleted = context.store.delete(path.resource.name, path.name, path.namespace);
  if (path.resource.returnsDeletedObject) {
    sendJson(response, 200, deleted);
    return;
  }
  sendJson(response, 200, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { name: path.name, kind: path.resource.name, uid: deleted.metadata.uid },
  });
}

function requireStored(context: ApiContext, path: NamedPath): KubeObject {
  const object = context.store.get(path.resource.name, path.name, path.namespace);
  if (object === undefined) throw notFound(path.resource.name, path.name);
  return object;
}

/**
 * What a write stores: through `/status`, the stored object with the new status (and the writer's
 * resourceVersion as precondition); through the main resource of a kind with a status, the new object
 * with the stored status; otherwise the new object.
 */
function merged(path: NamedPath, stored: KubeObject, written: KubeObjectInput): KubeObjectInput {
  if (path.subresource === 'status') {
    const resourceVersion = written.metadata?.resourceVersion ?? stored.metadata.resourceVersion;
    return { ...stored, status: written.status, metadata: { ...stored.metadata, resourceVersion } };
  }
  if (path.resource.hasStatus) return { ...written, status: stored.status };
  return written;
}
