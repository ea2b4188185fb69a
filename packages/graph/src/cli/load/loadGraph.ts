import type { AppComposition, AppPlan, GraphProblem } from '@kas/core';
import { CliError } from '../CliError.js';
import { analyzeLoadedComposition } from './analyzeLoadedComposition.js';
import { type AppLike, classifyExport, exportLabel, isGraphExport, planOfApp } from './classifyExport.js';
import { entryLoadFailed } from './entryLoadFailed.js';
import { importModule } from './importModule.js';
import { resolveEntryFile, shownEntryFile } from './resolveEntryFile.js';

/** Where a module of a graph composed from a kas.yaml came from: its `modules:` entry and config key. */
export interface ConfigSource {
  readonly module: string;
  readonly entry: string;
  /** `kas.yaml:4:5`: where the entry is written. */
  readonly at: string;
  /** `kas.yaml:9:1`: where its config section is, when it has one. */
  readonly configAt?: string;
}

/** A module graph loaded from `<entry>[#export]`, or from a kas.yaml (`--config`). */
export interface LoadedGraph {
  /** The entry as given on the command line. */
  readonly label: string;
  /** The file that was imported. */
  readonly file: string;
  readonly exportName: string;
  /** A composition (linted with its structural problems), or an app (already checked by `createApp`). */
  readonly source:
    | { readonly kind: 'composition'; readonly composition: AppComposition }
    | { readonly kind: 'app' };
  readonly plan?: AppPlan;
  readonly problems: readonly GraphProblem[];
  /** For a graph composed from a kas.yaml: where each loaded module is named in it. */
  readonly configSources?: readonly ConfigSource[];
}

/** Splits `<entry>[#export]`; the export is what follows the last `#`. */
export function parseEntry(argument: string): { readonly path: string; readonly exportName: string } {
  const hash = argument.lastIndexOf('#');
  if (hash <= 0) return { path: argument, exportName: 'default' };
  const exportName = argument.slice(hash + 1);
  if (!/^[A-Za-z_$][\w$]*$/.test(exportName)) {
    throw new CliError(
      'KAS_GRAPH_USAGE',
      `"${exportName}" in ${argument} is not an export name`,
      'write <entry>#<exportName>, e.g. apps/kas#legacy',
    );
  }
  return { path: argument.slice(0, hash), exportName };
}

/** Loads an entry and resolves the plans of the composition or app it exports. */
export async function loadGraph(argument: string, cwd: string): Promise<LoadedGraph> {
  const { path, exportName } = parseEntry(argument);
  const file = resolveEntryFile(path, cwd);
  const shown = shownEntryFile(path, file, cwd);
  let exports: Record<string, unknown>;
  try {
    exports = await importModule(file);
  } catch (error) {
    throw entryLoadFailed(
      shown,
      error,
      'run the file with node (or vitest) to see the whole error; build the workspace packages it imports (npm run build)',
    );
  }
  if (!(exportName in exports) || exports[exportName] === undefined) {
    const candidates = graphExports(exports);
    throw new CliError(
      'KAS_GRAPH_EXPORT_NOT_FOUND',
      `${shown} has no export "${exportName}" (exports that are graphs: ${candidates.join(', ') || 'none'})`,
      exportFix(path, candidates),
    );
  }
  const value = exports[exportName];
  const kind = classifyExport(value, exportLabel(exportName), shown);
  const label = argument;
  if (kind === 'app') {
    return {
      label,
      file,
      exportName,
      source: { kind: 'app' },
      plan: planOfApp(value as AppLike, exportLabel(exportName), shown),
      problems: [],
    };
  }
  if (kind === 'composition') {
    const composition = value as AppComposition;
    const analysis = analyzeLoadedComposition(composition);
    return {
      label,
      file,
      exportName,
      source: { kind: 'composition', composition },
      ...(analysis.plan === undefined ? {} : { plan: analysis.plan }),
      problems: analysis.problems,
    };
  }
  throw new CliError(
    'KAS_GRAPH_NOT_AN_APP',
    `export "${exportName}" of ${shown} is ${describe(value)}, not an app composition or an app`,
    typeof value === 'function'
      ? 'export { modules: [...], overrides?, provide? } (an AppComposition), or the App that createApp returns; a kas module package (its default export a module factory) is linted as kas runs it: kas-graph lint --config kas.yaml, with the package under modules:'
      : 'export { modules: [...], overrides?, provide? } (an AppComposition), or the App that createApp returns',
  );
}

/** The exports that are compositions or apps: the default first (the bare entry loads it), then the named ones. */
function graphExports(exports: Record<string, unknown>): string[] {
  const names = Object.keys(exports).filter((key) => isGraphExport(exports[key]));
  return [...names.filter((name) => name === 'default'), ...names.filter((name) => name !== 'default')];
}

/** How to name an export that exists: the bare entry for the default, `#<name>` for a named one. */
function exportFix(path: string, candidates: readonly string[]): string {
  const named = candidates.filter((name) => name !== 'default');
  const ways = [
    ...(candidates.includes('default') ? [`${path} (its default export)`] : []),
    ...(named.length === 1 ? [`${path}#${named[0]}`] : []),
    ...(named.length > 1 ? [`${path}#<name>, <name> one of ${named.join(', ')}`] : []),
  ];
  return ways.length > 0
    ? `write ${ways.join(', or ')}`
    : 'export an app composition ({ modules, overrides?, provide? }) from the entry';
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return `an object with keys ${Object.keys(value).join(', ') || '(none)'}`;
  return `a ${typeof value}`;
}
