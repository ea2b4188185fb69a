import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';

/** One protobuf message's fields by number: varints as bigints, length-delimited ones as bytes. */
export type Fields = Map<number, unknown[]>;

/** Reads one message's fields; other wire types are skipped (no message the fake reads has them). */
export function readFields(bytes: Uint8Array): Fields {
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

/** The bytes of a length-delimited field (the last one when repeated); empty when absent. */
export function message(fields: Fields, number: number): Uint8Array {
  return (fields.get(number)?.at(-1) as Uint8Array | undefined) ?? new Uint8Array(0);
}

/** A string field; `''` when absent. */
export function text(fields: Fields, number: number): string {
  return Buffer.from(message(fields, number)).toString('utf8');
}

/** A repeated string field. */
export function texts(fields: Fields, number: number): string[] {
  return (fields.get(number) ?? []).map((value) => Buffer.from(value as Uint8Array).toString('utf8'));
}

/** A bool field; undefined when absent. */
export function flag(fields: Fields, number: number): boolean | undefined {
  const value = fields.get(number)?.at(-1);
  return value === undefined ? undefined : BigInt(value as bigint | string) !== 0n;
}

/** An integer field (int32/int64); undefined when absent. */
export function integer(fields: Fields, number: number): number | undefined {
  const value = fields.get(number)?.at(-1);
  return value === undefined ? undefined : Number(BigInt.asIntN(64, BigInt(value as bigint | string)));
}

/** A `map<string, string>` field: repeated entries of key (1) and value (2). */
export function stringMap(fields: Fields, number: number): Record<string, string> | undefined {
  const entries = (fields.get(number) ?? []).map((entry) => readFields(entry as Uint8Array));
  if (entries.length === 0) return undefined;
  return Object.fromEntries(entries.map((entry) => [text(entry, 1), text(entry, 2)]));
}

/** A `map<string, bytes>` field, its values base64 as JSON carries them. */
export function bytesMap(fields: Fields, number: number): Record<string, string> | undefined {
  const entries = (fields.get(number) ?? []).map((entry) => readFields(entry as Uint8Array));
  if (entries.length === 0) return undefined;
  return Object.fromEntries(
    entries.map((entry) => [text(entry, 1), Buffer.from(message(entry, 2)).toString('base64')]),
  );
}

/** The object without its undefined fields, as JSON leaves out what protobuf did not carry. */
export function dropEmpty<T extends Record<string, unknown>>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;
}

/** meta/v1 `ObjectMeta`, the fields a create carries (name, namespace, labels, ...). */
export function objectMeta(bytes: Uint8Array): Record<string, unknown> {
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
