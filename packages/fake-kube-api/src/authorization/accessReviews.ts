import { FakeKubeApiError } from '../errors/FakeKubeApiError.js';
import { readRecord } from '../objects/readPath.js';
import { badRequest } from '../objects/storeErrors.js';

/** The group of the access reviews, and its one version. */
export const AUTHORIZATION_GROUP = 'authorization.k8s.io';
export const AUTHORIZATION_GROUP_VERSION = `${AUTHORIZATION_GROUP}/v1`;

/** The group of the self review (`kubectl auth whoami`), and its one version. */
export const AUTHENTICATION_GROUP = 'authentication.k8s.io';
export const AUTHENTICATION_GROUP_VERSION = `${AUTHENTICATION_GROUP}/v1`;

/** Who sent a request, as a self review reports it (`status.userInfo`). */
export interface UserInfo {
  readonly username: string;
  readonly groups: readonly string[];
}

/**
 * The one user behind the fake's token(s): the fake has no user database, so every accepted token is
 * this user. Through kas that is agentk's own credential, not the kubectl user's.
 */
export const TOKEN_USER: UserInfo = {
  username: 'fake-kube-api:token-user',
  groups: ['system:authenticated'],
};

/** A request without credentials, or any request to a fake started without a token. */
export const ANONYMOUS_USER: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };

/** Why every review is allowed: the fake has one token (or none), all or nothing. */
export const NO_RBAC_REASON =
  'the fake Kubernetes API has no RBAC: every request it authenticates is allowed';

/**
 * One create-only review resource (authorization.k8s.io/v1 or authentication.k8s.io/v1): its discovery
 * entry and its answer.
 */
export interface AccessReview {
  readonly groupVersion: string;
  readonly name: 'selfsubjectaccessreviews' | 'selfsubjectrulesreviews' | 'selfsubjectreviews';
  readonly singularName: string;
  readonly kind: 'SelfSubjectAccessReview' | 'SelfSubjectRulesReview' | 'SelfSubjectReview';
  /** Whether the review has a `spec` (a self review has only a `status`). */
  readonly hasSpec: boolean;
  /**
   * The `status` the fake answers for a review's `spec` sent by `user`; throws for a spec the real
   * server refuses.
   */
  readonly review: (spec: Readonly<Record<string, unknown>>, user: UserInfo) => Record<string, unknown>;
}

/**
 * The reviews `kubectl auth can-i` and `kubectl auth whoami` send: SelfSubjectAccessReview (`can-i <verb> <resource>`) is always
 * allowed, and SelfSubjectRulesReview (`can-i --list`) answers every verb on everything, which is what
 * a fake without RBAC does; SelfSubjectReview (`whoami`) names the user who asked. The other reviews (SubjectAccessReview, LocalSubjectAccessReview) ask about
 * other users, whom the fake does not know, so they are not served.
 */
export const ACCESS_REVIEWS: readonly AccessReview[] = [
  {
    groupVersion: AUTHORIZATION_GROUP_VERSION,
    name: 'selfsubjectaccessreviews',
    singularName: 'selfsubjectaccessreview',
    kind: 'SelfSubjectAccessReview',
    hasSpec: true,
    review: (spec) => {
      const hasResource = readRecord(spec, 'resourceAttributes') !== undefined;
      const hasNonResource = readRecord(spec, 'nonResourceAttributes') !== undefined;
      if (hasResource === hasNonResource) {
        const [field, words] = hasResource
          ? ['spec.nonResourceAttributes', 'cannot be specified in combination with resourceAttributes']
          : [
              'spec.resourceAttributes',
              'exactly one of nonResourceAttributes or resourceAttributes must be specified',
            ];
        throw new FakeKubeApiError(
          'KAS_FAKE_KUBE_INVALID_OBJECT',
          `SelfSubjectAccessReview.${AUTHORIZATION_GROUP} "" is invalid: ${field}: Invalid value: ${words}`,
          'set exactly one of spec.resourceAttributes and spec.nonResourceAttributes',
          {
            kind: 'SelfSubjectAccessReview',
            group: AUTHORIZATION_GROUP,
            causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: ${words}`, field }],
          },
        );
      }
      return { allowed: true, reason: NO_RBAC_REASON };
    },
  },
  {
    groupVersion: AUTHORIZATION_GROUP_VERSION,
    name: 'selfsubjectrulesreviews',
    singularName: 'selfsubjectrulesreview',
    kind: 'SelfSubjectRulesReview',
    hasSpec: true,
    review: () => ({
      resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
      nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
      incomplete: false,
    }),
  },
  {
    groupVersion: AUTHENTICATION_GROUP_VERSION,
    name: 'selfsubjectreviews',
    singularName: 'selfsubjectreview',
    kind: 'SelfSubjectReview',
    hasSpec: false,
    review: (_spec, user) => ({ userInfo: { username: user.username, groups: [...user.groups] } }),
  },
];

/** The review a `/apis/<group>/v1/<reviews>` path addresses, or undefined. */
export function findAccessReview(pathname: string): AccessReview | undefined {
  return ACCESS_REVIEWS.find((review) => pathname === `/apis/${review.groupVersion}/${review.name}`);
}

/**
 * The answer to a review created by a client: the review as sent, with the fake's `status`. The body
 * must be an object of the review's kind and group version (each may be left out).
 */
export function answerAccessReview(
  review: AccessReview,
  body: unknown,
  user: UserInfo,
): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest(
      `the body of the request must be a ${review.kind} object`,
      `send a JSON object with kind ${review.kind}`,
    );
  }
  const { apiVersion, kind, metadata } = body as Record<string, unknown>;
  if (apiVersion !== undefined && apiVersion !== review.groupVersion) {
    throw badRequest(
      `the API version in the data (${String(apiVersion)}) does not match the expected API version (${review.groupVersion})`,
      `set apiVersion: ${review.groupVersion}`,
    );
  }
  if (kind !== undefined && kind !== review.kind) {
    throw badRequest(
      `${String(kind)} in version "v1" cannot be handled as a ${review.kind}`,
      `send a ${review.kind} to ${review.name}`,
    );
  }
  const spec = readRecord(body, 'spec') ?? {};
  return {
    kind: review.kind,
    apiVersion: review.groupVersion,
    metadata: metadata ?? {},
    ...(review.hasSpec ? { spec } : {}),
    status: review.review(spec, user),
  };
}
