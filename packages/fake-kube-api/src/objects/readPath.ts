/** The value at a dotted path of a JSON object (`status.phase`), or undefined where the path breaks. */
export function readPath(object: unknown, path: string): unknown {
  let value = object;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** The value at a dotted path when it is a non-null, non-array object. */
export function readRecord(object: unknown, path: string): Readonly<Record<string, unknown>> | undefined {
  const value = readPath(object, path);
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** The value at a dotted path when it is an array of objects; otherwise an empty array. */
export function readRecords(object: unknown, path: string): readonly Readonly<Record<string, unknown>>[] {
  const value = readPath(object, path);
  if (!Array.isArray(value)) return [];
  return value.filter(
    (item): item is Record<string, unknown> =>
      typeof item === 'object' && item !== null && !Array.isArray(item),
  );
}
