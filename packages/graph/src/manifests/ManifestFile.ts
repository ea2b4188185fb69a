import { readFile } from 'node:fs/promises';
import { duplicateKeyErrors } from '@kas/config';
import { type Document, LineCounter, parseAllDocuments } from 'yaml';
import { CliError } from '../cli/CliError.js';

/** A YAML file of Kubernetes objects, parsed with positions. */
export interface ManifestFile {
  /** The path as shown in findings (relative to the current directory when given so). */
  readonly file: string;
  readonly documents: readonly Document.Parsed[];
  /** The 1-based line and column of an offset in the parsed text, as `file` numbers them. */
  readonly lines: Pick<LineCounter, 'linePos'>;
}

/**
 * Parses YAML text of one or more documents; throws `KAS_GRAPH_MANIFESTS_INVALID` for a syntax error or a
 * repeated key, at the first one. Repeated keys are found by `duplicateKeyErrors`, in linear time: `yaml`'s
 * own check compares each key with every earlier key of its mapping (100,000 keys, 1.2 MB, took 80 s).
 */
export function parseManifestText(text: string, file: string): ManifestFile {
  const lines = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  if (!Array.isArray(documents)) return { file, documents: [], lines }; // an empty stream
  for (const document of documents) {
    const [error] = [...document.errors, ...duplicateKeyErrors(document)].sort((a, b) => a.pos[0] - b.pos[0]);
    if (error !== undefined) {
      const at = lines.linePos(error.pos[0]);
      throw new CliError(
        'KAS_GRAPH_MANIFESTS_INVALID',
        `${file}:${at.line}:${at.col}: ${error.message}`,
        'fix the YAML at that line',
      );
    }
  }
  return { file, documents, lines };
}

/** Reads and parses a manifest file; throws `KAS_GRAPH_MANIFESTS_UNREADABLE` when it cannot be read. */
export async function readManifestFile(path: string, file: string): Promise<ManifestFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CliError(
      'KAS_GRAPH_MANIFESTS_UNREADABLE',
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      'give a kustomization directory or a YAML file of rendered manifests to --manifests',
      { cause: error },
    );
  }
  return parseManifestText(text, file);
}
