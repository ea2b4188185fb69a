import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AppComposition } from '@kas/core';
import { CliError } from '../CliError.js';
import { analyzeLoadedComposition } from './analyzeLoadedComposition.js';
import { configuredComposition } from './configuredComposition.js';
import { entryLoadFailed } from './entryLoadFailed.js';
import { ImportNeverSettledError, importModule, importPackage } from './importModule.js';
import type { ConfigSource, LoadedGraph } from './loadGraph.js';
import { parseEntry } from './loadGraph.js';
import { resolveEntryFile, shownEntryFile } from './resolveEntryFile.js';
import { withoutRequireStack } from './withoutRequireStack.js';

/** The package whose `composeFromConfig` `--config kas.yaml` uses when no entry is given. */
export const KAS_APP_PACKAGE = '@kas/kas';

/** What `composeFromConfig` resolves with (checked by shape: the entry may load its own copy of the core). */
interface ConfiguredApp {
  readonly composition: AppComposition;
  readonly loaded?: readonly ConfigSource[];
}

type ComposeFromConfig = (source: {
  readonly file: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}) => Promise<ConfiguredApp>;

/** Whether a `--config` value names a kas.yaml (rather than a kas-graph.config.json). */
export function isKasConfig(path: string | undefined): path is string {
  return path !== undefined && /\.ya?ml$/i.test(path);
}

/**
 * Loads the graph `--config kas.yaml` checks: what `kas --config kas.yaml` would run, composed by the kas
 * app's own `composeFromConfig` (the one function kas runs with), loaded modules included, with the
 * environment kas would see, no secret read and no listener opened. The kas app is the entry when one is
 * given (`apps/kas`), else the `@kas/kas` package installed next to kas.yaml (or in the current directory).
 */
export async function loadConfiguredGraph(
  entryArgument: string | undefined,
  configArgument: string,
  cwd: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<LoadedGraph> {
  const configFile = resolve(cwd, configArgument);
  if (!existsSync(configFile)) {
    throw new CliError(
      'KAS_GRAPH_KAS_CONFIG_INVALID',
      `${configArgument} does not exist (looked at ${configFile})`,
      'give the path of the kas.yaml kas runs with (kas --config kas.yaml)',
    );
  }
  const compose = await importComposeFromConfig(entryArgument, configArgument, configFile, cwd);
  let configured: ConfiguredApp;
  try {
    configured = await compose({ file: configFile, env });
  } catch (error) {
    const { message, fix, code } = error as { message?: string; fix?: string; code?: string };
    throw new CliError(
      'KAS_GRAPH_KAS_CONFIG_INVALID',
      `kas would not start with ${configArgument}: ${code === undefined ? '' : `${code}: `}${message ?? String(error)}`,
      fix ?? 'correct the config',
      { cause: error },
    );
  }
  const composition = configuredComposition(configured, entryArgument ?? KAS_APP_PACKAGE);
  const analysis = analyzeLoadedComposition(composition);
  return {
    label: `${entryArgument === undefined ? '' : `${entryArgument} `}--config ${configArgument}`,
    file: configFile,
    exportName: 'composeFromConfig',
    source: { kind: 'composition', composition },
    ...(analysis.plan === undefined ? {} : { plan: analysis.plan }),
    problems: analysis.problems,
    configSources: configured.loaded ?? [],
  };
}

async function importComposeFromConfig(
  entryArgument: string | undefined,
  configArgument: string,
  configFile: string,
  cwd: string,
): Promise<ComposeFromConfig> {
  let exports: Record<string, unknown> | undefined;
  let shown: string;
  if (entryArgument !== undefined) {
    const { path } = parseEntry(entryArgument);
    const file = resolveEntryFile(path, cwd);
    shown = shownEntryFile(path, file, cwd);
    try {
      exports = await importModule(file);
    } catch (error) {
      throw entryLoadFailed(shown, error, LOAD_FIX);
    }
  } else {
    shown = KAS_APP_PACKAGE;
    const failures: string[] = [];
    const places = [
      { from: configFile, said: configArgument },
      { from: join(cwd, 'package.json'), said: 'the current directory' },
    ];
    for (const { from, said } of places) {
      try {
        exports = await importPackage(KAS_APP_PACKAGE, from);
        break;
      } catch (error) {
        if (error instanceof ImportNeverSettledError) throw entryLoadFailed(KAS_APP_PACKAGE, error, LOAD_FIX);
        failures.push(`from ${said}: ${withoutRequireStack(error)}`);
      }
    }
    if (exports === undefined)
      throw loadFailed(`${KAS_APP_PACKAGE} cannot be loaded (${failures.join('; ')})`);
  }
  const compose = exports.composeFromConfig;
  if (typeof compose !== 'function') {
    throw new CliError(
      'KAS_GRAPH_EXPORT_NOT_FOUND',
      `${shown} has no function export "composeFromConfig": --config composes the app from a kas.yaml`,
      `give the kas app as the entry (kas-graph lint <kas checkout>/apps/kas --config kas.yaml), or ${INSTALL_KAS}`,
    );
  }
  return compose as ComposeFromConfig;
}

/** The @kas packages are not on the npm registry: `npm install @kas/kas` would fetch someone else's. */
const INSTALL_KAS =
  "make @kas/kas resolvable from kas.yaml's directory the way kas itself runs there: the npm pack tarball of apps/kas (docs/write-a-module.md), not the npm registry, where @kas packages are not published";

const LOAD_FIX = `give the kas app as the entry (kas-graph lint <kas checkout>/apps/kas --config kas.yaml; build it first: npm run build), or ${INSTALL_KAS}`;

function loadFailed(message: string): CliError {
  return new CliError('KAS_GRAPH_ENTRY_LOAD_FAILED', message, LOAD_FIX);
}
