import { relative } from 'node:path';
import type { AppComposition } from '@kas/core';
import { CliError } from '../cli/CliError.js';
import { analyzeLoadedComposition } from '../cli/load/analyzeLoadedComposition.js';
import { configuredComposition } from '../cli/load/configuredComposition.js';
import { entryLoadFailed } from '../cli/load/entryLoadFailed.js';
import { importModule } from '../cli/load/importModule.js';
import type { LoadedGraph } from '../cli/load/loadGraph.js';
import { parseEntry } from '../cli/load/loadGraph.js';
import { resolveEntryFile } from '../cli/load/resolveEntryFile.js';
import type { DeploymentLintContext } from './DeploymentLintContext.js';
import { readKasDeployment } from './readKasDeployment.js';
import { renderManifests } from './renderManifests.js';

/** The export an entry provides for `--manifests`: kas's `composeFromConfig` (apps/kas). */
export const COMPOSE_FROM_CONFIG_EXPORT = 'composeFromConfig';

/** What `composeFromConfig` resolves with (checked by shape: the entry may load its own copy of the core). */
interface ConfiguredApp {
  readonly composition: AppComposition;
  readonly shutdownDeadlineMs?: number;
  readonly listenGraceMs: number;
  readonly singleReplicaOnly?: string;
}

type ComposeFromConfig = (source: {
  readonly text: string;
  readonly file: string;
  readonly env: Readonly<Record<string, string>>;
}) => Promise<ConfiguredApp>;

/**
 * Loads the graph `--manifests` lints: the kas Deployment of the manifests, and the composition the
 * entry's `composeFromConfig` builds from that Deployment's config (its ConfigMap's kas.yaml and its
 * `KAS_*` variables), exactly as kas would run it. Returns the graph and what the deployment rules need.
 */
export async function loadManifestGraph(
  entryArgument: string,
  manifestsArgument: string,
  cwd: string,
): Promise<{ readonly graph: LoadedGraph; readonly context: DeploymentLintContext }> {
  const { path } = parseEntry(entryArgument);
  const file = resolveEntryFile(path, cwd);
  const shown = relative(cwd, file) || file;
  const manifests = await renderManifests(manifestsArgument, cwd);
  const deployment = readKasDeployment(manifests);
  let exports: Record<string, unknown>;
  try {
    exports = await importModule(file);
  } catch (error) {
    throw entryLoadFailed(shown, error, 'build the workspace packages it imports (npm run build)');
  }
  const compose = exports[COMPOSE_FROM_CONFIG_EXPORT];
  if (typeof compose !== 'function') {
    throw new CliError(
      'KAS_GRAPH_EXPORT_NOT_FOUND',
      `${shown} has no function export "${COMPOSE_FROM_CONFIG_EXPORT}": --manifests composes the app from the Deployment's config`,
      'give the kas app as the entry (apps/kas), or export composeFromConfig({ text, file, env }) from yours',
    );
  }
  let configured: ConfiguredApp;
  try {
    configured = await (compose as ComposeFromConfig)({
      text: deployment.config.text,
      file: deployment.config.label,
      env: deployment.config.env,
    });
  } catch (error) {
    const { message, fix } = error as { message?: string; fix?: string };
    throw new CliError(
      'KAS_GRAPH_MANIFESTS_INVALID',
      `${deployment.label}: kas would not start with its config: ${message ?? String(error)}`,
      fix ?? 'correct the config',
      { cause: error },
    );
  }
  const composition = configuredComposition(configured, shown);
  const analysis = analyzeLoadedComposition(composition);
  return {
    graph: {
      label: `${entryArgument} --manifests ${manifestsArgument}`,
      file,
      exportName: COMPOSE_FROM_CONFIG_EXPORT,
      source: { kind: 'composition', composition },
      ...(analysis.plan === undefined ? {} : { plan: analysis.plan }),
      problems: analysis.problems,
    },
    context: {
      deployment,
      ...(configured.shutdownDeadlineMs === undefined
        ? {}
        : { shutdownDeadlineMs: configured.shutdownDeadlineMs }),
      listenGraceMs: configured.listenGraceMs,
      ...(typeof configured.singleReplicaOnly === 'string'
        ? { singleReplicaOnly: configured.singleReplicaOnly }
        : {}),
    },
  };
}
