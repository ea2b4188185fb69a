import { CliError } from '../CliError.js';
import { loadConfiguredGraph } from './loadConfiguredGraph.js';
import { type LoadedGraph, loadGraph } from './loadGraph.js';

/** The graph of `<entry>`, or with `--config kas.yaml` the one kas runs with that config. */
export async function loadEntryOrConfig(
  entry: string | undefined,
  config: string | undefined,
  cwd: string,
): Promise<LoadedGraph> {
  if (config !== undefined) return loadConfiguredGraph(entry, config, cwd);
  if (entry !== undefined) return loadGraph(entry, cwd);
  throw new CliError(
    'KAS_GRAPH_USAGE',
    'an entry or --config kas.yaml is needed',
    'write e.g. kas-graph plan apps/kas, or kas-graph plan --config kas.yaml',
  );
}
