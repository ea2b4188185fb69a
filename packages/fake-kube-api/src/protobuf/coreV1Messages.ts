import type { KubeObjectInput } from '../objects/KubeObject.js';
import {
  bytesMap,
  dropEmpty,
  type Fields,
  flag,
  integer,
  message,
  objectMeta,
  readFields,
  stringMap,
  text,
  texts,
} from './protobufFields.js';

/**
 * The core/v1 kinds kubectl's generators send in protobuf (`create configmap|secret|namespace|service`,
 * `expose`), by kind, decoded from the message's fields (numbers of k8s.io/api core/v1 `generated.proto`).
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
  Service: (raw) =>
    dropEmpty({
      metadata: objectMeta(message(raw, 1)),
      spec: serviceSpec(readFields(message(raw, 2))),
    }),
};

/**
 * core/v1 `ServiceSpec`. The Go encoder writes every optional scalar, set or not, so an empty string, a
 * zero port and `false` mean "not given", as they do in the JSON the same object would be sent as.
 */
function serviceSpec(spec: Fields): Record<string, unknown> {
  const ports = (spec.get(1) ?? []).map((bytes) => servicePort(readFields(bytes as Uint8Array)));
  const strings = (number: number) => {
    const values = texts(spec, number);
    return values.length > 0 ? values : undefined;
  };
  return dropEmpty({
    ports: ports.length > 0 ? ports : undefined,
    selector: stringMap(spec, 2),
    clusterIP: text(spec, 3) || undefined,
    type: text(spec, 4) || undefined,
    externalIPs: strings(5),
    sessionAffinity: text(spec, 7) || undefined,
    loadBalancerIP: text(spec, 8) || undefined,
    loadBalancerSourceRanges: strings(9),
    externalName: text(spec, 10) || undefined,
    externalTrafficPolicy: text(spec, 11) || undefined,
    healthCheckNodePort: integer(spec, 12) || undefined,
    publishNotReadyAddresses: flag(spec, 13) || undefined,
    ipFamilyPolicy: text(spec, 17) || undefined,
    clusterIPs: strings(18),
    ipFamilies: strings(19),
    allocateLoadBalancerNodePorts: flag(spec, 20),
    loadBalancerClass: text(spec, 21) || undefined,
    internalTrafficPolicy: text(spec, 22) || undefined,
  });
}

/** core/v1 `ServicePort`; its `targetPort` is an `IntOrString` (type 0: intVal, 1: strVal). */
function servicePort(port: Fields): Record<string, unknown> {
  const target = port.has(4) ? readFields(message(port, 4)) : undefined;
  const targetPort =
    target === undefined ? undefined : integer(target, 1) === 1 ? text(target, 3) : (integer(target, 2) ?? 0);
  return dropEmpty({
    name: text(port, 1) || undefined,
    protocol: text(port, 2) || undefined,
    port: integer(port, 3) ?? 0,
    targetPort: targetPort === 0 || targetPort === '' ? undefined : targetPort,
    nodePort: integer(port, 5) || undefined,
    appProtocol: text(port, 6) || undefined,
  });
}
