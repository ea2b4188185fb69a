import { FakeKubeApiError } from '../errors/FakeKubeApiError.js';
import type { ResourceDefinition } from '../resources/ResourceDefinition.js';
import { findResource } from '../resources/resourceDefinitions.js';

/** What a `/api/v1/...` path addresses. */
export interface ResourcePath {
  readonly resource: ResourceDefinition;
  /** Set for namespaced paths (`/api/v1/namespaces/<namespace>/pods`); unset for all namespaces. */
  readonly namespace?: string;
  readonly name?: string;
  /** `status` or `log`. */
  readonly subresource?: 'status' | 'log';
}

/**
 * Parses `/api/v1/<resource>[/<name>[/<sub>]]` and `/api/v1/namespaces/<ns>/<resource>[/<name>[/<sub>]]`;
 * undefined for a path the fake does not serve (an unknown resource or subresource). Throws
 * `KAS_FAKE_KUBE_BAD_REQUEST` (400, as the real server answers) for a segment that is not valid
 * percent-encoding (`/api/%ZZ`).
 */
export function parseResourcePath(pathname: string): ResourcePath | undefined {
  const segments = pathname
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => decodeSegment(segment, pathname));
  if (segments[0] !== 'api' || segments[1] !== 'v1') return undefined;
  const rest = segments.slice(2);
  const namespacedResource =
    rest[0] === 'namespaces' && rest.length >= 3 ? findResource(rest[2] ?? '') : undefined;
  if (namespacedResource?.namespaced === true) {
    return withName(namespacedResource, rest[1], rest.slice(3));
  }
  const resource = findResource(rest[0] ?? '');
  if (resource === undefined) return undefined;
  return withName(resource, undefined, rest.slice(1));
}

/** A path segment decoded; `KAS_FAKE_KUBE_BAD_REQUEST` when it is not valid percent-encoding. */
export function decodeSegment(segment: string, pathname: string): string {
  try {
    return decodeURIComponent(segment);
  } catch (error) {
    throw new FakeKubeApiError(
      'KAS_FAKE_KUBE_BAD_REQUEST',
      `invalid URL escape in the path ${pathname}: "${segment}" is not valid percent-encoding`,
      'percent-encode each path segment (encodeURIComponent): a "%" must be followed by two hex digits, and the bytes must be UTF-8',
      undefined,
      { cause: error },
    );
  }
}

function withName(
  resource: ResourceDefinition,
  namespace: string | undefined,
  tail: readonly string[],
): ResourcePath | undefined {
  const [name, subresource, ...extra] = tail;
  if (extra.length > 0) return undefined;
  if (resource.namespaced && namespace === undefined && name !== undefined) return undefined;
  if (subresource !== undefined) {
    const isServed =
      (subresource === 'status' && resource.hasStatus) || (subresource === 'log' && resource.name === 'pods');
    if (!isServed) return undefined;
  }
  return {
    resource,
    ...(namespace === undefined ? {} : { namespace }),
    ...(name === undefined ? {} : { name }),
    ...(subresource === undefined ? {} : { subresource: subresource as 'status' | 'log' }),
  };
}
