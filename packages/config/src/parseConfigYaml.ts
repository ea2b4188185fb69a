import { type Document, type LineCounter, parseDocument } from 'yaml';
import { duplicateKeyErrors } from './duplicateKeyErrors.js';
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
 * Parses the YAML of a config file like `yaml`'s `parseDocument`, in time linear in its size: `yaml`'s
 * check for repeated keys is off, and `duplicateKeyErrors` finds them instead. A repeated key is in
 * `document.errors` as `yaml` reports it: `DUPLICATE_KEY`, "Map keys must be unique", at the repeated
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
