import { FakeKubeApiError } from '../errors/FakeKubeApiError.js';
import type { FieldCause, ResourceDefinition } from '../resources/ResourceDefinition.js';

/** `pods "web" not found`, as the real server words it. */
export function notFound(resource: string, name: string): FakeKubeApiError {
  return new FakeKubeApiError(
    'KAS_FAKE_KUBE_NOT_FOUND',
    `${resource} "${name}" not found`,
    `create the ${resource === 'namespaces' ? 'namespace' : 'object'} first, or check its name and namespace`,
    { name, kind: resource },
  );
}

/** `pods "web" already exists`. */
export function alreadyExists(resource: ResourceDefinition, name: string): FakeKubeApiError {
  return new FakeKubeApiError(
    'KAS_FAKE_KUBE_ALREADY_EXISTS',
    `${resource.name} "${name}" already exists`,
    'choose another name, or update (PUT/PATCH) the existing object',
    { name, kind: resource.name },
  );
}

/** The optimistic-concurrency failure of an update with a stale `resourceVersion`. */
export function conflict(resource: ResourceDefinition, name: string): FakeKubeApiError {
  return new FakeKubeApiError(
    'KAS_FAKE_KUBE_CONFLICT',
    `Operation cannot be fulfilled on ${resource.name} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    'get the object again and apply the change to its current resourceVersion (or omit resourceVersion)',
    { name, kind: resource.name },
  );
}

/** `Pod "web" is invalid: spec.containers: Required value`. */
export function invalid(
  resource: ResourceDefinition,
  name: string,
  causes: readonly [FieldCause, ...FieldCause[]],
): FakeKubeApiError {
  const described = causes.map((cause) => `${cause.field}: ${cause.message}`);
  return new FakeKubeApiError(
    'KAS_FAKE_KUBE_INVALID_OBJECT',
    `${resource.kind} "${name}" is invalid: ${described.length === 1 ? described[0] : `[${described.join(', ')}]`}`,
    `correct the fields named (${causes.map((cause) => cause.field).join(', ')})`,
    { name, kind: resource.kind, causes },
  );
}

/** A request that cannot be understood (selector, body, patch, query parameter). */
export function badRequest(message: string, fix: string): FakeKubeApiError {
  return new FakeKubeApiError('KAS_FAKE_KUBE_BAD_REQUEST', message, fix);
}

/** A watch from a resourceVersion whose events are no longer kept (the client must list again). */
export function gone(requested: number, oldest: number): FakeKubeApiError {
  return new FakeKubeApiError(
    'KAS_FAKE_KUBE_GONE',
    `too old resource version: ${requested} (${oldest})`,
    'list again and watch from the resourceVersion of that list',
  );
}
