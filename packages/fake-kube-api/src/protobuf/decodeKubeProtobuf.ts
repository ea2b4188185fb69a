import type { KubeObjectInput } from '../objects/KubeObject.js';
import { badRequest } from '../objects/storeErrors.js';
import { AUTHORIZATION_V1_MESSAGES } from './authorizationV1Messages.js';
import { CORE_V1_MESSAGES } from './coreV1Messages.js';
import { message, readFields, text } from './protobufFields.js';

/** The media type kubectl's generators (`create configmap|secret|namespace|service`, `expose`) send. */
export const KUBE_PROTOBUF = 'application/vnd.kubernetes.protobuf';

/** The four bytes every Kubernetes protobuf body starts with. */
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]); // "k8s\0"

const MESSAGES = { ...CORE_V1_MESSAGES, ...AUTHORIZATION_V1_MESSAGES };

/**
 * Decodes a Kubernetes protobuf request body (magic `k8s\0`, then a `runtime.Unknown` whose `raw` is the
 * object) into the JSON shape the fake reads, for the kinds kubectl sends in protobuf: ConfigMap, Secret,
 * Namespace and Service from its generators and `expose`, with the ObjectMeta fields a create carries
 * (name, generateName, namespace, resourceVersion, labels, annotations, finalizers), the
 * SelfSubjectAccessReview and SelfSubjectRulesReview of `kubectl auth can-i` and the SelfSubjectReview of
 * `kubectl auth whoami`. The wire format is read with @bufbuild/protobuf's
 * BinaryReader; the field numbers are those of the upstream `generated.proto` files (only these few
 * messages are needed, so no code is generated from those thousands of lines). Anything else is
 * `KAS_FAKE_KUBE_BAD_REQUEST`.
 */
export function decodeKubeProtobuf(body: Buffer): KubeObjectInput {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw badRequest(
      'the protobuf body does not start with the Kubernetes magic "k8s\\0"',
      'send JSON, or a Kubernetes protobuf envelope',
    );
  }
  try {
    const unknown = readFields(body.subarray(MAGIC.length));
    const typeMeta = readFields(message(unknown, 1));
    const apiVersion = text(typeMeta, 1);
    const kind = text(typeMeta, 2);
    const decode = Object.hasOwn(MESSAGES, kind) ? MESSAGES[kind] : undefined;
    if (decode === undefined) {
      throw badRequest(
        `protobuf bodies of kind ${JSON.stringify(kind)} are not read by the fake (${Object.keys(MESSAGES).join(', ')} are)`,
        'send the object as JSON',
      );
    }
    return { apiVersion, kind, ...decode(readFields(message(unknown, 2))) };
  } catch (error) {
    if ((error as { code?: unknown }).code === 'KAS_FAKE_KUBE_BAD_REQUEST') throw error;
    throw badRequest(
      `the protobuf body cannot be decoded: ${(error as Error).message}`,
      'send the object as JSON',
    );
  }
}
