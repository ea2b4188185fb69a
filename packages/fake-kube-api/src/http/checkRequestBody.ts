import type { KubeObjectInput } from '../objects/KubeObject.js';
import { badRequest } from '../objects/storeErrors.js';
import type { ResourcePath } from './parseResourcePath.js';

/**
 * Checks a create or update body against the request, as the real server does, and answers it with
 * the request's namespace filled in: it must be an object of the resource's kind and `v1`, and its
 * namespace and name (when it has them) must be the request's.
 */
export function checkRequestBody(body: unknown, path: ResourcePath): KubeObjectInput {
  const { resource } = path;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest(
      `the body of the request must be a ${resource.kind} object`,
      `send a JSON object with kind ${resource.kind}`,
    );
  }
  const object = body as KubeObjectInput;
  if (object.apiVersion !== undefined && object.apiVersion !== 'v1') {
    throw badRequest(
      `the API version in the data (${String(object.apiVersion)}) does not match the expected API version (v1)`,
      'set apiVersion: v1',
    );
  }
  if (object.kind !== undefined && object.kind !== resource.kind) {
    throw badRequest(
      `${String(object.kind)} in version "v1" cannot be handled as a ${resource.kind}`,
      `send a ${resource.kind} to ${resource.name}`,
    );
  }
  const metadata = object.metadata ?? {};
  if (
    path.namespace !== undefined &&
    metadata.namespace !== undefined &&
    metadata.namespace !== path.namespace
  ) {
    throw badRequest(
      'the namespace of the provided object does not match the namespace sent on the request',
      'make metadata.namespace the namespace of the URL, or leave it out',
    );
  }
  if (path.name !== undefined && metadata.name !== undefined && metadata.name !== path.name) {
    throw badRequest(
      `the name of the object (${metadata.name}) does not match the name on the URL (${path.name})`,
      'make metadata.name the name of the URL',
    );
  }
  return {
    ...object,
    metadata: {
      ...metadata,
      ...(path.name === undefined ? {} : { name: path.name }),
      ...(path.namespace === undefined ? {} : { namespace: path.namespace }),
    },
  };
}
