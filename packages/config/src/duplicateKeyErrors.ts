import { type Document, isScalar, visit, YAMLParseError } from 'yaml';

/**
 * A `DUPLICATE_KEY` error, "Map keys must be unique", at each key equal to an earlier key of its mapping,
 * as `yaml` reports one with `uniqueKeys` on, in time linear in the document's size: `yaml`'s own check
 * compares each key with every key before it in its mapping (a mapping of 50,000 keys, 1.1 MB, took 23 s
 * instead of 2 s), so parse with `uniqueKeys: false` and take the repeated keys from here. Keys compare as
 * `yaml` compares them: scalars by value (`a` and `"a"` are the same key, `1` and `1.0` too; NaN never
 * repeats); other keys (a mapping, an alias) only by identity, which two keys written apart never share.
 */
export function duplicateKeyErrors(document: Document.Parsed): YAMLParseError[] {
  const errors: YAMLParseError[] = [];
  visit(document, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const { key } of map.items) {
        if (!isScalar(key) || Number.isNaN(key.value)) continue;
        if (seen.has(key.value)) {
          const at = key.range?.[0] ?? map.range?.[0] ?? 0;
          errors.push(new YAMLParseError([at, at + 1], 'DUPLICATE_KEY', 'Map keys must be unique'));
        }
        seen.add(key.value);
      }
    },
  });
  return errors;
}
