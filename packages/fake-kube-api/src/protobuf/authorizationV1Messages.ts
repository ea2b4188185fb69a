import type { KubeObjectInput } from '../objects/KubeObject.js';
import { dropEmpty, type Fields, message, objectMeta, readFields, text } from './protobufFields.js';

/**
 * The authorization.k8s.io/v1 reviews `kubectl auth can-i` sends in protobuf, and the
 * authentication.k8s.io/v1 self review of `kubectl auth whoami`, by kind, decoded from the
 * message's fields (numbers of k8s.io/api authorization/v1 `generated.proto`). Field and label
 * selectors of a resource review are not read: kubectl sends none, and the fake allows everything.
 */
export const AUTHORIZATION_V1_MESSAGES: Readonly<
  Record<string, (raw: Fields) => Omit<KubeObjectInput, 'apiVersion' | 'kind'>>
> = {
  SelfSubjectAccessReview: (raw) => {
    const spec = readFields(message(raw, 2));
    return {
      metadata: objectMeta(message(raw, 1)),
      spec: dropEmpty({
        resourceAttributes: spec.has(1) ? resourceAttributes(readFields(message(spec, 1))) : undefined,
        nonResourceAttributes: spec.has(2) ? nonResourceAttributes(readFields(message(spec, 2))) : undefined,
      }),
    };
  },
  // authentication.k8s.io/v1 (`kubectl auth whoami`): its status is the server's to fill in.
  SelfSubjectReview: (raw) => ({ metadata: objectMeta(message(raw, 1)) }),
  SelfSubjectRulesReview: (raw) => ({
    metadata: objectMeta(message(raw, 1)),
    spec: dropEmpty({ namespace: text(readFields(message(raw, 2)), 1) || undefined }),
  }),
};

function resourceAttributes(fields: Fields): Record<string, unknown> {
  const names = ['namespace', 'verb', 'group', 'version', 'resource', 'subresource', 'name'];
  return dropEmpty(
    Object.fromEntries(names.map((name, index) => [name, text(fields, index + 1) || undefined])),
  );
}

function nonResourceAttributes(fields: Fields): Record<string, unknown> {
  return dropEmpty({ path: text(fields, 1) || undefined, verb: text(fields, 2) || undefined });
}
