import { type Document, isScalar, type LineCounter, parseDocument, visit, YAMLParseError } from 'yaml';
import { ConfigTooLargeError } from './errors/ConfigTooLargeError.js';

/**
 * The largest config file kas reads, in bytes (1 MiB). kas.example.yaml is 7 KB; the `yaml` package
 * parses about 1 MB a second, so a larger file is a mistake (a log or a dump given to --config), and a
 * big value (a CA bundle) belongs in a file the config names by path.
 */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

/** What `parseConfigYaml` takes besides the text. */
export interface ParseConfigYamlOptions {
  /** Filled with the text's line starts, for `linePos` of an error's or a node's offset. */
  readonly lineCounter?: LineCounter;
  /** The file as errors name it (`kas.yaml`, `kas.yaml of ConfigMap kas`). */
  readonly file?: string;
}

/**
 * Parses the YAML of a config file like `yaml`'s `parseDocument`, in time linear in its size: `yaml`
 * checks each key of a mapping against every key before it (a mapping of 50,000 keys, 1.1 MB, took 23 s
 * instead of 2 s), so its check is off and each mapping's keys go through a `Set` here. A repeated key is
 * in `document.errors` as `yaml` reports it: `DUPLICATE_KEY`, "Map keys must be unique", at the repeated
 * key. Throws `KAS_CONFIG_TOO_LARGE` for a text over `MAX_CONFIG_FILE_BYTES`, before parsing it.
 */
export function parseConfigYaml(text: string, options: ParseConfigYamlOptions = {}): Document.Parsed {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_CONFIG_FILE_BYTES) throw new ConfigTooLargeError(options.file ?? 'the config', bytes);
  const document = parseDocument(text, {
    prettyErrors: false,
    uniqueKeys: false,
    ...(options.lineCounter === undefined ? {} : { lineCounter: options.lineCounter }),
  });
  const duplicates = duplicateKeyErrors(document);
  if (duplicates.length > 0) {
    document.errors.push(...duplicates);
    document.errors.sort((a, b) => a.pos[0] - b.pos[0]);
  }
  return document;
}

/**
 * A `DUPLICATE_KEY` error for each key equal to an earlier key of its mapping, as `yaml` compares them:
 * scalars by value (`a` and `"a"` are the same key, `1` and `1.0` too; NaN never repeats); other keys
 * (a mapping, an alias) only by identity, which two keys written apart never share.
 */
function duplicateKeyErrors(document: Document.Parsed): YAMLParseError[] {
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
