import { basename } from 'node:path';
import type { LoadedGraph } from '../load/loadGraph.js';
import { loadPlugins, type SourcedRule } from '../load/loadPlugins.js';
import type { LintSetup } from './loadLintSetup.js';

/**
 * The rules the modules a kas.yaml loads ship (`kasGraphRules` beside a module's default export), each
 * with its source: `<entry> (modules: in kas.yaml)`. A module without rules adds none.
 */
export function loadModuleRules(graph: LoadedGraph, setup: LintSetup): Promise<SourcedRule[]> {
  return loadPlugins(
    (graph.configSources ?? []).map((source) => source.entry),
    graph.file,
    {
      isOptional: true,
      sourceOf: (entry) => `${entry} (modules: in ${basename(graph.file)})`,
      known: setup.rules.flatMap((rule) => {
        const source = setup.sources.get(rule.code);
        return source === undefined ? [] : [{ rule, source }];
      }),
    },
  );
}
