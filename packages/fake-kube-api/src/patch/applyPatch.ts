import jsonPatch from 'fast-json-patch';
import jsonMergePatch from 'json-merge-patch';
import { FakeKubeApiError } from '../errors/FakeKubeApiError.js';
import type { KubeObject, KubeObjectInput } from '../objects/KubeObject.js';
import { badRequest } from '../objects/storeErrors.js';
import { strategicMergePatch } from './strategicMergePatch.js';

/** The patch formats the fake applies, by their `Content-Type`. */
export const PATCH_TYPES = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
} as const;

/** One of the patch formats the fake applies. */
export type PatchType = (typeof PATCH_TYPES)[keyof typeof PATCH_TYPES];

/** The patch type of a request's `Content-Type` (parameters ignored), or undefined when not served. */
export function patchTypeOf(contentType: string | undefined): PatchType | undefined {
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return mediaType in PATCH_TYPES ? PATCH_TYPES[mediaType as keyof typeof PATCH_TYPES] : undefined;
}

/**
 * Applies a patch to a stored object and answers the object to store: a JSON patch (RFC 6902, by
 * fast-json-patch), a JSON merge patch (RFC 7386, by json-merge-patch) or a strategic merge patch.
 * A malformed patch is `KAS_FAKE_KUBE_BAD_REQUEST`; a JSON patch that cannot apply (a failed `test`, a
 * missing path) is `KAS_FAKE_KUBE_INVALID_OBJECT`, as the real server answers 422 for it.
 */
export function applyPatch(type: PatchType, current: KubeObject, patch: unknown): KubeObjectInput {
  const document = structuredClone(current) as Record<string, unknown>;
  switch (type) {
    case 'json':
      return applyJsonPatch(document, patch);
    case 'merge':
      if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
        throw badRequest('a merge patch must be a JSON object', 'send a JSON object as the patch body');
      }
      return jsonMergePatch.apply(document, patch) as KubeObjectInput;
    case 'strategic':
      return strategicMergePatch(current.kind, document, patch) as KubeObjectInput;
    default: {
      const unhandled: never = type;
      return unhandled;
    }
  }
}

/** fast-json-patch errors that mean the patch itself is malformed, whatever the document. */
const MALFORMED_PATCH_ERRORS = new Set([
  'SEQUENCE_NOT_AN_ARRAY',
  'OPERATION_NOT_AN_OBJECT',
  'OPERATION_OP_INVALID',
  'OPERATION_PATH_INVALID',
  'OPERATION_FROM_REQUIRED',
  'OPERATION_VALUE_REQUIRED',
  'OPERATION_VALUE_CANNOT_CONTAIN_UNDEFINED',
]);

function applyJsonPatch(document: Record<string, unknown>, patch: unknown): KubeObjectInput {
  if (!Array.isArray(patch)) {
    throw badRequest(
      'a JSON patch must be a JSON array of operations',
      'send [{"op": ..., "path": ...}, ...]',
    );
  }
  const problem = jsonPatch.validate(patch, document);
  if (problem !== undefined) {
    if (MALFORMED_PATCH_ERRORS.has(problem.name)) {
      throw badRequest(
        `invalid JSON patch: ${problem.message.split('\n')[0]}`,
        'correct the operation named',
      );
    }
    throw new FakeKubeApiError(
      'KAS_FAKE_KUBE_INVALID_OBJECT',
      `the JSON patch cannot be applied: ${problem.message.split('\n')[0]}`,
      'patch a path that exists (or test a value that holds) in the current object',
    );
  }
  return jsonPatch.applyPatch(document, patch, false, true).newDocument as KubeObjectInput;
}
