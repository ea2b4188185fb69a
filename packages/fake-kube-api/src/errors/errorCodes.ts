/**
 * Every error code `@kas/fake-kube-api` throws, with what it means. The package README lists the same
 * table; a test keeps the two in step.
 */
export const FAKE_KUBE_API_ERROR_CODES = {
  KAS_FAKE_KUBE_INVALID_OPTION: 'an option of startFakeKubeApi or a CLI flag is malformed or missing',
  KAS_FAKE_KUBE_LISTEN_FAILED: 'the server could not listen on the requested host and port',
  KAS_FAKE_KUBE_UNKNOWN_RESOURCE: 'a store call named a resource the fake does not serve',
  KAS_FAKE_KUBE_NOT_FOUND: 'the object (or its namespace) does not exist',
  KAS_FAKE_KUBE_ALREADY_EXISTS: 'an object with that name already exists in that namespace',
  KAS_FAKE_KUBE_CONFLICT: "the object's resourceVersion is not the stored one (it was modified meanwhile)",
  KAS_FAKE_KUBE_INVALID_OBJECT: 'the object is not valid for its kind (name, namespace, required fields)',
  KAS_FAKE_KUBE_BAD_REQUEST:
    'a request or store call is malformed (a selector, a patch, a body, a query parameter)',
  KAS_FAKE_KUBE_GONE: 'a watch asked to start from a resourceVersion older than the kept event history',
} as const;

/** A stable error code of `@kas/fake-kube-api`; callers branch on it. */
export type FakeKubeApiErrorCode = keyof typeof FAKE_KUBE_API_ERROR_CODES;
