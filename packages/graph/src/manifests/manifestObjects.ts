import { CliError } from '../cli/CliError.js';
import type { ManifestFile } from './ManifestFile.js';

/**
 * How many aliases a document may resolve (the `yaml` package's default, stated): a "billion laughs"
 * document nests lists of aliases of lists so that, resolved, it holds millions of values.
 */
const MAX_ALIAS_COUNT = 100;

/**
 * The documents of a manifest file as plain objects. A document the `yaml` package refuses to resolve
 * (more aliases than `MAX_ALIAS_COUNT`: an alias bomb) is the file's problem, `KAS_GRAPH_MANIFESTS_INVALID`
 * at the document's first line.
 */
export function manifestObjects(manifests: ManifestFile): unknown[] {
  return manifests.documents.map((document) => {
    try {
      return document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      const at = manifests.lines.linePos(document.range[0]);
      const isAliasBomb = /alias/i.test((error as Error).message);
      throw new CliError(
        'KAS_GRAPH_MANIFESTS_INVALID',
        `${manifests.file}:${at.line}:${at.col}: the document there cannot be read: ${(error as Error).message}${
          isAliasBomb ? ` (its aliases resolve to more than ${MAX_ALIAS_COUNT} copies of what they name)` : ''
        }`,
        isAliasBomb
          ? 'write the values out instead of repeating them through YAML aliases (*name): a document whose aliases multiply like this is refused, as the Kubernetes API server refuses it'
          : 'fix the YAML of that document',
        { cause: error },
      );
    }
  });
}
