import { type Document, isMap, isScalar, isSeq, type Node, type Range } from 'yaml';
import type { SourceLocation } from '../lint/LintRule.js';
import type { ManifestFile } from './ManifestFile.js';

/** A key, or the item of a list of named objects (containers are merged by name, not by index). */
export type FieldStep = string | { readonly name: string };

/** A field of an object: `['spec', 'template', 'spec', 'containers', { name: 'kas' }, 'readinessProbe']`. */
export type FieldPath = readonly FieldStep[];

/** Writes a field path as Kubernetes documentation does: `spec.template.spec.containers[kas].readinessProbe`. */
export function formatFieldPath(path: FieldPath): string {
  return path
    .map((step, index) => (typeof step === 'string' ? `${index === 0 ? '' : '.'}${step}` : `[${step.name}]`))
    .join('');
}

/** The value a step leads to, and where the step is written (a key's name, or a list item). */
function stepInto(node: unknown, step: FieldStep): { value: unknown; range?: Range } | undefined {
  if (typeof step === 'string') {
    if (!isMap(node)) return undefined;
    const pair = node.items.find((item) => isScalar(item.key) && item.key.value === step);
    if (pair === undefined) return undefined;
    return { value: pair.value, range: (pair.key as Node).range ?? undefined };
  }
  if (!isSeq(node)) return undefined;
  const item = node.items.find((candidate) => isMap(candidate) && candidate.get('name') === step.name);
  return item === undefined ? undefined : { value: item, range: (item as Node).range ?? undefined };
}

/** How many steps of `path` a document has, and where the deepest one is written. */
function deepest(document: Document.Parsed, path: FieldPath): { depth: number; range?: Range } {
  let node: unknown = document.contents;
  let found: { depth: number; range?: Range } = { depth: 0 };
  for (const [index, step] of path.entries()) {
    const next = stepInto(node, step);
    if (next === undefined) break;
    found = { depth: index + 1, ...(next.range === undefined ? {} : { range: next.range }) };
    node = next.value;
  }
  return found;
}

/**
 * Where a field of an object is set: the last of `files` (kustomize order) with a document of that kind
 * and name that sets the field; when none sets it, the deepest part of the path that is set (where the
 * field would go). The position is the field's value (the `yaml` package's ranges), 1-based.
 */
export function locateField(
  files: readonly ManifestFile[],
  object: { readonly kind: string; readonly name: string },
  path: FieldPath,
): SourceLocation | undefined {
  let best: { depth: number; location: SourceLocation } | undefined;
  for (const file of files) {
    for (const document of file.documents) {
      if (document.get('kind') !== object.kind) continue;
      const name = document.getIn(['metadata', 'name']);
      if (typeof name === 'string' && name !== object.name && !object.name.endsWith(name)) continue;
      const { depth, range } = deepest(document, path);
      if (range === undefined || depth < (best?.depth ?? 1)) continue;
      const at = file.lines.linePos(range[0]);
      best = { depth, location: { file: file.file, line: at.line, column: at.col } };
    }
  }
  return best?.location;
}
