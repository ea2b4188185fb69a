import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { isMap, isScalar, isSeq, Scalar } from 'yaml';
import { type ManifestFile, parseManifestText, readManifestFile } from './ManifestFile.js';

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** The kustomization file of a directory, if it has one. */
export function kustomizationFileOf(directory: string): string | undefined {
  return KUSTOMIZATION_FILES.map((name) => join(directory, name)).find((path) => existsSync(path));
}

/**
 * The inline patches of a kustomization (`patches: - patch: |`), each parsed as a file of its own whose
 * positions are where its text is written in the kustomization file, so a finding about a field an inline
 * patch sets points there. Kustomize applies a directory's patches after its resources, in list order.
 */
function inlinePatches(
  document: ManifestFile['documents'][number] | undefined,
  path: string,
  shown: string,
): ManifestFile[] {
  const node = document?.get('patches', true);
  if (!isSeq(node)) return [];
  const patches: ManifestFile[] = [];
  let source: ReturnType<typeof kustomizationText> | undefined;
  for (const item of node.items) {
    if (!isMap(item)) continue;
    const patch = item.get('patch', true);
    if (!isScalar(patch) || typeof patch.value !== 'string' || patch.range == null) continue;
    source ??= kustomizationText(path);
    const parsed = parseManifestText(patch.value, shown);
    const at = source.lines.linePos(patch.range[0]);
    const isBlock = patch.type === Scalar.BLOCK_LITERAL || patch.type === Scalar.BLOCK_FOLDED;
    // A block scalar's text starts on the line after its indicator, at its indentation; any other
    // scalar cannot be placed line by line: its positions are the scalar's own.
    const firstLine = at.line + (isBlock ? 1 : 0);
    const indent = isBlock
      ? (/^ */.exec(source.text.split('\n')[at.line] ?? '')?.[0].length ?? 0)
      : at.col - 1;
    patches.push({
      ...parsed,
      lines: {
        linePos(offset: number) {
          if (!isBlock) return at;
          const inPatch = parsed.lines.linePos(offset);
          return { line: firstLine + inPatch.line - 1, col: indent + inPatch.col };
        },
      },
    });
  }
  return patches;
}

/** The kustomization file's text, and the 1-based line and column of an offset in it. */
function kustomizationText(path: string): {
  text: string;
  lines: { linePos(offset: number): { line: number; col: number } };
} {
  const text = readFileSync(path, 'utf8');
  const starts = [0];
  for (let index = text.indexOf('\n'); index >= 0; index = text.indexOf('\n', index + 1)) {
    starts.push(index + 1);
  }
  return {
    text,
    lines: {
      linePos(offset) {
        let line = starts.length - 1;
        while (line > 0 && (starts[line] as number) > offset) line -= 1;
        return { line: line + 1, col: offset - (starts[line] as number) + 1 };
      },
    },
  };
}

/**
 * The YAML files a kustomization is built from, in the order kustomize applies them: each base's
 * resources and patches (depth first), then this directory's resources, then its patches. A field set
 * in a later file overrides the same field of an earlier one, so the last file that sets a field is
 * where a finding about it points. Remote bases and generators are not followed.
 */
export async function kustomizationSources(directory: string, cwd: string): Promise<ManifestFile[]> {
  const visited = new Set<string>();
  const collect = async (dir: string): Promise<ManifestFile[]> => {
    const kustomization = kustomizationFileOf(dir);
    if (kustomization === undefined || visited.has(kustomization)) return [];
    visited.add(kustomization);
    const shown = (path: string) => relative(cwd, path) || path;
    const [document] = (await readManifestFile(kustomization, shown(kustomization))).documents;
    const list = (key: string): string[] => {
      const node = document?.get(key, true);
      if (!isSeq(node)) return [];
      return node.items.flatMap((item) => {
        if (isMap(item)) {
          const path = item.get('path');
          return typeof path === 'string' ? [path] : [];
        }
        const value = (item as { value?: unknown }).value;
        return typeof value === 'string' ? [value] : [];
      });
    };
    const files: ManifestFile[] = [];
    for (const entry of [...list('resources'), ...list('bases')]) {
      if (/^[a-z]+:\/\//.test(entry)) continue;
      const path = resolve(dir, entry);
      if (!existsSync(path)) continue;
      if (statSync(path).isDirectory()) files.push(...(await collect(path)));
      else files.push(await readManifestFile(path, shown(path)));
    }
    for (const entry of [...list('patches'), ...list('patchesStrategicMerge')]) {
      const path = resolve(dir, entry);
      if (existsSync(path) && statSync(path).isFile()) files.push(await readManifestFile(path, shown(path)));
    }
    files.push(...inlinePatches(document, kustomization, shown(kustomization)));
    return files;
  };
  return collect(resolve(cwd, directory));
}
