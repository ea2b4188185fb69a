import type { KubeObjectInput } from '../objects/KubeObject.js';
import {
  bytesMap,
  dropEmpty,
  type Fields,
  flag,
  message,
  objectMeta,
  readFields,
  stringMap,
  text,
  texts,
} from './protobufFields.js';

/**
 * The core/v1 kinds kubectl's generators send in protobuf (`create configmap|secret|namespace`), by
 * kind, decoded from the message's fields (numbers of k8s.io/api core/v1 `generated.proto`).
 */
export const CORE_V1_MESSAGES: Readonly<
  Record<string, (raw: Fields) => Omit<KubeObjectInput, 'apiVersion' | 'kind'>>
> = {
  ConfigMap: (raw) =>
    dropEmpty({
      metadata: objectMeta(message(raw, 1)),
      data: stringMap(raw, 2),
      binaryData: bytesMap(raw, 3),
      immutable: flag(raw, 4),
    }),
  Secret: (raw) =>
    dropEmpty({
      metadata: objectMeta(message(raw, 1)),
      data: bytesMap(raw, 2),
      type: text(raw, 3) || undefined,
      stringData: stringMap(raw, 4),
      immutable: flag(raw, 5),
    }),
  Namespace: (raw) => {
    const finalizers = texts(readFields(message(raw, 2)), 1);
    return dropEmpty({
      metadata: objectMeta(message(raw, 1)),
      spec: finalizers.length > 0 ? { finalizers } : undefined,
    });
  },
};
