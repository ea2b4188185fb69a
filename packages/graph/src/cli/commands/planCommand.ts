import { type Command, Option } from 'commander';
import type { CliIo } from '../CliIo.js';
import { KAS_GRAPH_EXIT_CODES } from '../exitCodes.js';
import { loadEntryOrConfig } from '../load/loadEntryOrConfig.js';
import type { LoadedGraph } from '../load/loadGraph.js';
import { formatPlan, planToJson } from '../plan/formatPlan.js';
import { abbreviateCycle, abbreviateModules } from '../text/abbreviate.js';

/** `kas-graph plan <entry>`: print the start stages and the stop DAG. */
export function addPlanCommand(program: Command, io: CliIo, exit: (code: number) => void): void {
  program
    .command('plan')
    .description('print the start stages, the stop DAG (waits-for, drain budgets) and the critical path')
    .argument(
      '[entry]',
      'a JS/TS file or package directory exporting an app composition; #name picks a named export (optional with --config)',
    )
    .option('--config <kas.yaml>', 'the graph kas --config runs with this kas.yaml (loaded modules included)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(
      async (
        entry: string | undefined,
        options: { readonly format: 'text' | 'json'; readonly config?: string },
      ) => {
        const graph = await loadEntryOrConfig(entry, options.config, io.cwd);
        if (graph.plan !== undefined)
          io.write(options.format === 'json' ? planToJson(graph.plan) : formatPlan(graph.plan));
        exit(reportProblems(io, graph));
      },
    );
}

/** Prints a graph's structural problems to stderr; returns the exit code for a command that needs a valid graph. */
export function reportProblems(io: CliIo, graph: LoadedGraph): number {
  if (graph.problems.length === 0) return KAS_GRAPH_EXIT_CODES.clean;
  const lines = graph.problems.map(
    (problem) =>
      `error ${problem.code} [${abbreviateModules(problem.modules)}] ${abbreviateCycle(problem.message)} (fix: ${problem.fix})`,
  );
  const headline =
    graph.plan === undefined
      ? `${graph.label}: no plan, the graph has structural problems`
      : `${graph.label}: createApp refuses this graph`;
  io.error(`${headline}\n${lines.join('\n')}\n`);
  return KAS_GRAPH_EXIT_CODES.findings;
}
