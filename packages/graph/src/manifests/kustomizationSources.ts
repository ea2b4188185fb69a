import { existsSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { isMap, isSeq } from 'yaml';
import { type ManifestFile, readManifestFile } from './ManifestFile.js';

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** The kustomization file of a directory, if it has one. */
export function kustomizationFileOf(directory: string): string | undefined {
  return KUSTOMIZATION_FILES.map((name) => join(directory, name)).find((path) => existsSync(path));
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
    return files;
  };
  return collect(resolve(cwd, directory));
}
