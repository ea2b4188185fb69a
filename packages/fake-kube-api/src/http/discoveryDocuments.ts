import { ACCESS_REVIEWS, AUTHENTICATION_GROUP, AUTHORIZATION_GROUP } from '../authorization/accessReviews.js';
import { RESOURCE_DEFINITIONS } from '../resources/resourceDefinitions.js';

/** What `GET /version` answers: a Kubernetes 1.32 server (the kubectl of these machines), marked fake. */
export const VERSION_INFO = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.4-fake',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'go1.23.8',
  compiler: 'gc',
  platform: 'linux/amd64',
} as const;

/** `GET /api`: the legacy core group has one version, v1. */
export function apiVersions(serverAddress: string) {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

/** The named groups the fake serves: one version each, holding only create-only reviews. */
const REVIEW_GROUP_NAMES = [AUTHENTICATION_GROUP, AUTHORIZATION_GROUP];

function groupEntry(name: string) {
  const version = { groupVersion: `${name}/v1`, version: 'v1' };
  return { name, versions: [version], preferredVersion: version };
}

/**
 * `GET /apis`: the named groups the fake serves, authentication.k8s.io (`kubectl auth whoami`) and
 * authorization.k8s.io (`kubectl auth can-i`).
 */
export const API_GROUP_LIST = {
  kind: 'APIGroupList',
  apiVersion: 'v1',
  groups: REVIEW_GROUP_NAMES.map(groupEntry),
} as const;

/** `GET /apis/<group>` of a group the fake serves, or undefined. */
export function apiGroup(name: string) {
  return REVIEW_GROUP_NAMES.includes(name)
    ? { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(name) }
    : undefined;
}

/** `GET /apis/<group>/v1`: the group's review resources, create-only as on a real server; or undefined. */
export function reviewGroupResources(groupVersion: string) {
  const reviews = ACCESS_REVIEWS.filter((review) => review.groupVersion === groupVersion);
  if (reviews.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion,
    resources: reviews.map((review) => ({
      name: review.name,
      singularName: review.singularName,
      namespaced: false,
      kind: review.kind,
      verbs: ['create'],
    })),
  };
}

const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

/** `GET /api/v1`: the resources and subresources the fake serves, with their verbs and short names. */
export function coreV1Resources() {
  return {
    kind: 'APIResourceList',
    groupVersion: 'v1',
    resources: RESOURCE_DEFINITIONS.flatMap((resource) => [
      {
        name: resource.name,
        singularName: resource.singularName,
        namespaced: resource.namespaced,
        kind: resource.kind,
        verbs: VERBS,
        ...(resource.shortNames.length > 0 ? { shortNames: resource.shortNames } : {}),
        ...(resource.categories.length > 0 ? { categories: resource.categories } : {}),
      },
      ...(resource.name === 'pods'
        ? [
            {
              name: 'pods/attach',
              singularName: '',
              namespaced: true,
              kind: 'PodAttachOptions',
              verbs: ['create', 'get'],
            },
            {
              name: 'pods/exec',
              singularName: '',
              namespaced: true,
              kind: 'PodExecOptions',
              verbs: ['create', 'get'],
            },
            { name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] },
            {
              name: 'pods/portforward',
              singularName: '',
              namespaced: true,
              kind: 'PodPortForwardOptions',
              verbs: ['create', 'get'],
            },
          ]
        : []),
      ...(resource.hasStatus
        ? [
            {
              name: `${resource.name}/status`,
              singularName: '',
              namespaced: resource.namespaced,
              kind: resource.kind,
              verbs: ['get', 'patch', 'update'],
            },
          ]
        : []),
    ]),
  };
}
