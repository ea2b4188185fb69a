import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { CliError } from '../cli/CliError.js';
import { kustomizationFileOf, kustomizationSources } from './kustomizationSources.js';
import { type ManifestFile, parseManifestText, readManifestFile } from './ManifestFile.js';

/** The objects to check, and the files their fields come from. */
export interface RenderedManifests {
  /** The rendered objects (for a file: the file itself). */
  readonly rendered: ManifestFile;
  /** Where fields are set: the file itself, or a kustomization's files in the order kustomize applies them. */
  readonly sources: readonly ManifestFile[];
}

/**
 * Reads `--manifests`: a YAML file of rendered objects, or a kustomization directory, rendered with
 * `kubectl kustomize` (kubectl must be on PATH; without it, render once and pass the file).
 */
export async function renderManifests(given: string, cwd: string): Promise<RenderedManifests> {
  const path = resolve(cwd, given);
  if (!existsSync(path)) {
    throw new CliError(
      'KAS_GRAPH_MANIFESTS_UNREADABLE',
      `${given} does not exist`,
      'give a kustomization directory (e.g. deploy/kubernetes/overlays/redis) or a YAML file of rendered manifests',
    );
  }
  if (!statSync(path).isDirectory()) {
    const file = await readManifestFile(path, given);
    return { rendered: file, sources: [file] };
  }
  if (kustomizationFileOf(path) === undefined) {
    throw new CliError(
      'KAS_GRAPH_MANIFESTS_UNREADABLE',
      `${given} is a directory without a kustomization.yaml`,
      'give a kustomization directory, or a YAML file of rendered manifests',
    );
  }
  let stdout: string;
  try {
    ({ stdout } = await promisify(execFile)('kubectl', ['kustomize', path], {
      maxBuffer: 64 * 1024 * 1024,
    }));
  } catch (error) {
    const { code, stderr } = error as { code?: string | number; stderr?: string };
    throw new CliError(
      'KAS_GRAPH_MANIFESTS_UNREADABLE',
      code === 'ENOENT'
        ? `kubectl is not on PATH: kas-graph renders ${given} with kubectl kustomize`
        : `kubectl kustomize ${given} failed: ${(stderr ?? String(error)).trim()}`,
      code === 'ENOENT'
        ? `install kubectl, or render elsewhere and pass the file: kubectl kustomize ${given} > rendered.yaml`
        : 'fix the kustomization (run the same kubectl kustomize command to see the whole error)',
      { cause: error },
    );
  }
  return {
    rendered: parseManifestText(stdout, `kubectl kustomize ${relative(cwd, path) || given}`),
    sources: await kustomizationSources(path, cwd),
  };
}
