import { FakeKubeApiError } from '../errors/FakeKubeApiError.js';
import { readRecord } from '../objects/readPath.js';
import { badRequest } from '../objects/storeErrors.js';

/** The group of the access reviews, and its one version. */
export const AUTHORIZATION_GROUP = 'authorization.k8s.io';
export const AUTHORIZATION_GROUP_VERSION = `${AUTHORIZATION_GROUP}/v1`;

/** Why every review is allowed: the fake has one token (or none), all or nothing. */
export const NO_RBAC_REASON =
  'the fake Kubernetes API has no RBAC: every request it authenticates is allowed';

/** One create-only review resource of authorization.k8s.io/v1: its discovery entry and its answer. */
export interface AccessReview {
  readonly name: 'selfsubjectaccessreviews' | 'selfsubjectrulesreviews';
  readonly singularName: string;
  readonly kind: 'SelfSubjectAccessReview' | 'SelfSubjectRulesReview';
  /** The `status` the fake answers for a review's `spec`; throws for a spec the real server refuses. */
  readonly review: (spec: Readonly<Record<string, unknown>>) => Record<string, unknown>;
}

/**
 * The reviews `kubectl auth can-i` sends: SelfSubjectAccessReview (`can-i <verb> <resource>`) is always
 * allowed, and SelfSubjectRulesReview (`can-i --list`) answers every verb on everything, which is what
 * a fake without RBAC does. The other reviews (SubjectAccessReview, LocalSubjectAccessReview) ask about
 * other users, whom the fake does not know, so they are not served.
 */
export const ACCESS_REVIEWS: readonly AccessReview[] = [
  {
    name: 'selfsubjectaccessreviews',
    singularName: 'selfsubjectaccessreview',
    kind: 'SelfSubjectAccessReview',
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
    name: 'selfsubjectrulesreviews',
    singularName: 'selfsubjectrulesreview',
    kind: 'SelfSubjectRulesReview',
    review: () => ({
      resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
      nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
      incomplete: false,
    }),
  },
];

/** The review a `/apis/authorization.k8s.io/v1/<reviews>` path addresses, or undefined. */
export function findAccessReview(pathname: string): AccessReview | undefined {
  const prefix = `/apis/${AUTHORIZATION_GROUP_VERSION}/`;
  if (!pathname.startsWith(prefix)) return undefined;
  return ACCESS_REVIEWS.find((review) => review.name === pathname.slice(prefix.length));
}

/**
 * The answer to a review created by a client: the review as sent, with the fake's `status`. The body
 * must be an object of the review's kind and group version (each may be left out).
 */
export function answerAccessReview(review: AccessReview, body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest(
      `the body of the request must be a ${review.kind} object`,
      `send a JSON object with kind ${review.kind}`,
    );
  }
  const { apiVersion, kind, metadata } = body as Record<string, unknown>;
  if (apiVersion !== undefined && apiVersion !== AUTHORIZATION_GROUP_VERSION) {
    throw badRequest(
      `the API version in the data (${String(apiVersion)}) does not match the expected API version (${AUTHORIZATION_GROUP_VERSION})`,
      `set apiVersion: ${AUTHORIZATION_GROUP_VERSION}`,
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
    apiVersion: AUTHORIZATION_GROUP_VERSION,
    metadata: metadata ?? {},
    spec,
    status: review.review(spec),
  };
}
