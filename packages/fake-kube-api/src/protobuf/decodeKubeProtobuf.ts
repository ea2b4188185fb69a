import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import type { KubeObjectInput } from '../objects/KubeObject.js';
import { badRequest } from '../objects/storeErrors.js';

/** The media type kubectl's generators (`create configmap|secret|namespace`) send. */
export const KUBE_PROTOBUF = 'application/vnd.kubernetes.protobuf';

/** The four bytes every Kubernetes protobuf body starts with. */
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]); // "k8s\0"

type Fields = Map<number, unknown[]>;

/**
 * Decodes a Kubernetes protobuf request body (magic `k8s\0`, then a `runtime.Unknown` whose `raw` is the
 * object) into the JSON shape the fake stores, for the kinds kubectl creates from its generators:
 * ConfigMap, Secret and Namespace, with the ObjectMeta fields a create carries (name, generateName,
 * namespace, resourceVersion, labels, annotations, finalizers). The wire format is read with
 * @bufbuild/protobuf's BinaryReader; the field numbers are those of k8s.io/api core/v1 and
 * k8s.io/apimachinery meta/v1 `generated.proto` (only these three messages are needed, so no code is
 * generated from those ~7,000 lines). Anything else is `KAS_FAKE_KUBE_BAD_REQUEST`.
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
    const raw = readFields(message(unknown, 2));
    switch (kind) {
      case 'ConfigMap':
        return dropEmpty({
          apiVersion,
          kind,
          metadata: objectMeta(message(raw, 1)),
          data: stringMap(raw, 2),
          binaryData: bytesMap(raw, 3),
          immutable: flag(raw, 4),
        });
      case 'Secret':
        return dropEmpty({
          apiVersion,
          kind,
          metadata: objectMeta(message(raw, 1)),
          data: bytesMap(raw, 2),
          type: text(raw, 3) || undefined,
          stringData: stringMap(raw, 4),
          immutable: flag(raw, 5),
        });
      case 'Namespace': {
        const spec = readFields(message(raw, 2));
        const finalizers = texts(spec, 1);
        return dropEmpty({
          apiVersion,
          kind,
          metadata: objectMeta(message(raw, 1)),
          spec: finalizers.length > 0 ? { finalizers } : undefined,
        });
      }
      default:
        throw badRequest(
          `protobuf bodies of kind ${JSON.stringify(kind)} are not read by the fake (ConfigMap, Secret and Namespace are)`,
          'send the object as JSON',
        );
    }
  } catch (error) {
    if ((error as { code?: unknown }).code === 'KAS_FAKE_KUBE_BAD_REQUEST') throw error;
    throw badRequest(
      `the protobuf body cannot be decoded: ${(error as Error).message}`,
      'send the object as JSON',
    );
  }
}

function objectMeta(bytes: Uint8Array): Record<string, unknown> {
  const meta = readFields(bytes);
  const finalizers = texts(meta, 14);
  return dropEmpty({
    name: text(meta, 1) || undefined,
    generateName: text(meta, 2) || undefined,
    namespace: text(meta, 3) || undefined,
    resourceVersion: text(meta, 6) || undefined,
    labels: stringMap(meta, 11),
    annotations: stringMap(meta, 12),
    finalizers: finalizers.length > 0 ? finalizers : undefined,
  });
}

/** Reads one message's fields: varints as numbers, length-delimited ones as bytes, by field number. */
function readFields(bytes: Uint8Array): Fields {
  const reader = new BinaryReader(bytes);
  const fields: Fields = new Map();
  while (reader.pos < reader.len) {
    const [number, wireType] = reader.tag();
    let value: unknown;
    if (wireType === WireType.LengthDelimited) value = reader.bytes();
    else if (wireType === WireType.Varint) value = reader.uint64();
    else {
      reader.skip(wireType, number);
      continue;
    }
    const values = fields.get(number);
    if (values === undefined) fields.set(number, [value]);
    else values.push(value);
  }
  return fields;
}

function message(fields: Fields, number: number): Uint8Array {
  return (fields.get(number)?.at(-1) as Uint8Array | undefined) ?? new Uint8Array(0);
}

function text(fields: Fields, number: number): string {
  return Buffer.from(message(fields, number)).toString('utf8');
}

function texts(fields: Fields, number: number): string[] {
  return (fields.get(number) ?? []).map((value) => Buffer.from(value as Uint8Array).toString('utf8'));
}

function flag(fields: Fields, number: number): boolean | undefined {
  const value = fields.get(number)?.at(-1);
  return value === undefined ? undefined : BigInt(value as bigint | string) !== 0n;
}

/** A `map<string, string>` field: repeated entries of key (1) and value (2). */
function stringMap(fields: Fields, number: number): Record<string, string> | undefined {
  const entries = (fields.get(number) ?? []).map((entry) => readFields(entry as Uint8Array));
  if (entries.length === 0) return undefined;
  return Object.fromEntries(entries.map((entry) => [text(entry, 1), text(entry, 2)]));
}

/** A `map<string, bytes>` field, its values base64 as JSON carries them. */
function bytesMap(fields: Fields, number: number): Record<string, string> | undefined {
  const entries = (fields.get(number) ?? []).map((entry) => readFields(entry as Uint8Array));
  if (entries.length === 0) return undefined;
  return Object.fromEntries(
    entries.map((entry) => [text(entry, 1), Buffer.from(message(entry, 2)).toString('base64')]),
  );
}

function dropEmpty<T extends Record<string, unknown>>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;
}
