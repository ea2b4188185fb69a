import {
  ACCESS_REVIEWS,
  AUTHORIZATION_GROUP,
  AUTHORIZATION_GROUP_VERSION,
} from '../authorization/accessReviews.js';
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

const AUTHORIZATION_VERSION = { groupVersion: AUTHORIZATION_GROUP_VERSION, version: 'v1' } as const;
const AUTHORIZATION_GROUP_ENTRY = {
  name: AUTHORIZATION_GROUP,
  versions: [AUTHORIZATION_VERSION],
  preferredVersion: AUTHORIZATION_VERSION,
} as const;

/** `GET /apis`: the one named group the fake serves, authorization.k8s.io (for `kubectl auth can-i`). */
export const API_GROUP_LIST = {
  kind: 'APIGroupList',
  apiVersion: 'v1',
  groups: [AUTHORIZATION_GROUP_ENTRY],
} as const;

/** `GET /apis/authorization.k8s.io`. */
export const AUTHORIZATION_API_GROUP = {
  kind: 'APIGroup',
  apiVersion: 'v1',
  ...AUTHORIZATION_GROUP_ENTRY,
} as const;

/** `GET /apis/authorization.k8s.io/v1`: the review resources served, create-only as on a real server. */
export const AUTHORIZATION_V1_RESOURCES = {
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion: AUTHORIZATION_GROUP_VERSION,
  resources: ACCESS_REVIEWS.map((review) => ({
    name: review.name,
    singularName: review.singularName,
    namespaced: false,
    kind: review.kind,
    verbs: ['create'],
  })),
} as const;

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
