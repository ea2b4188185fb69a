import type { ResourceDefinition } from '../resources/ResourceDefinition.js';
import { RESOURCE_DEFINITIONS } from '../resources/resourceDefinitions.js';

const PATCH_CONTENT_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
];

const queryParameter = (name: string, description: string) => ({
  name,
  in: 'query',
  description,
  schema: { type: 'string', uniqueItems: true },
});
const pathParameter = (name: string) => ({
  name,
  in: 'path',
  description: `${name} of the object`,
  required: true,
  schema: { type: 'string', uniqueItems: true },
});
const WRITE_PARAMETERS = [
  queryParameter('dryRun', 'When present, indicates that modifications should not be persisted.'),
  queryParameter(
    'fieldManager',
    'fieldManager is a name associated with the actor or entity making these changes.',
  ),
  queryParameter(
    'fieldValidation',
    'Ignore, Warn or Strict: how the server treats unknown or duplicate fields.',
  ),
];
const LIST_PARAMETERS = [
  'labelSelector',
  'fieldSelector',
  'limit',
  'continue',
  'resourceVersion',
  'watch',
].map((name) => queryParameter(name, `${name} of a list or watch`));

/**
 * The OpenAPI v3 document of `/openapi/v3/api/v1`: every path and operation the fake serves, each
 * operation tagged with `x-kubernetes-action` and `x-kubernetes-group-version-kind` as the real document
 * is. kubectl reads it to learn that the server validates fields itself (`fieldValidation` on PATCH),
 * so `kubectl apply` needs no `--validate=false`. Component schemas are skeletons without a
 * group-version-kind, so kubectl computes apply patches from its built-in types, which are exact.
 */
export function coreV1OpenApi(): Record<string, unknown> {
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes (kas fake-kube-api)', version: 'v1.32.4' },
    paths: Object.fromEntries(RESOURCE_DEFINITIONS.flatMap(resourcePaths)),
    components: {
      schemas: Object.fromEntries(
        RESOURCE_DEFINITIONS.flatMap((resource) => [
          [schemaName(resource.kind), objectSchema(resource.kind)],
          [schemaName(`${resource.kind}List`), listSchema(resource.kind)],
        ]),
      ),
    },
  };
}

function resourcePaths(resource: ResourceDefinition): [string, unknown][] {
  const collection = resource.namespaced
    ? `/api/v1/namespaces/{namespace}/${resource.name}`
    : `/api/v1/${resource.name}`;
  const scope = resource.namespaced ? [pathParameter('namespace')] : [];
  const scoped = resource.namespaced ? 'Namespaced' : '';
  const operation = (
    action: string,
    operationId: string,
    kind: string,
    extra: Record<string, unknown> = {},
  ) => ({
    tags: ['core_v1'],
    operationId,
    responses: { '200': { description: 'OK', content: { 'application/json': { schema: ref(kind) } } } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': { group: '', version: 'v1', kind: resource.kind },
    ...extra,
  });
  const body = (types: readonly string[]) => ({
    content: Object.fromEntries(types.map((type) => [type, { schema: ref(resource.kind) }])),
    required: true,
  });
  const paths: [string, unknown][] = [
    [
      collection,
      {
        get: operation('list', `listCoreV1${scoped}${resource.kind}`, `${resource.kind}List`, {
          parameters: LIST_PARAMETERS,
        }),
        post: operation('post', `createCoreV1${scoped}${resource.kind}`, resource.kind, {
          parameters: WRITE_PARAMETERS,
          requestBody: body(['*/*']),
        }),
        parameters: scope,
      },
    ],
    [
      `${collection}/{name}`,
      {
        get: operation('get', `readCoreV1${scoped}${resource.kind}`, resource.kind),
        put: operation('put', `replaceCoreV1${scoped}${resource.kind}`, resource.kind, {
          parameters: WRITE_PARAMETERS,
          requestBody: body(['*/*']),
        }),
        patch: operation('patch', `patchCoreV1${scoped}${resource.kind}`, resource.kind, {
          parameters: [
            ...WRITE_PARAMETERS,
            queryParameter('force', 'Force is going to "force" Apply requests.'),
          ],
          requestBody: body(PATCH_CONTENT_TYPES),
        }),
        delete: operation('delete', `deleteCoreV1${scoped}${resource.kind}`, resource.kind),
        parameters: [pathParameter('name'), ...scope],
      },
    ],
  ];
  if (resource.namespaced) {
    paths.push([
      `/api/v1/${resource.name}`,
      {
        get: operation('list', `listCoreV1${resource.kind}ForAllNamespaces`, `${resource.kind}List`, {
          parameters: LIST_PARAMETERS,
        }),
      },
    ]);
  }
  return paths;
}

function objectSchema(kind: string) {
  return {
    description: `${kind} (core/v1), as far as the fake serves it.`,
    type: 'object',
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    },
    'x-kubernetes-preserve-unknown-fields': true,
  };
}

function listSchema(kind: string) {
  return {
    description: `A list of ${kind} objects.`,
    type: 'object',
    required: ['items'],
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      items: { type: 'array', items: ref(kind) },
    },
  };
}

const schemaName = (kind: string) => `io.k8s.api.core.v1.${kind}`;
const ref = (kind: string) => ({ $ref: `#/components/schemas/${schemaName(kind)}` });
