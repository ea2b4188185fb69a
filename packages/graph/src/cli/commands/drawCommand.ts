import { type Command, Option } from 'commander';
import { type CliIo, writeOutput } from '../CliIo.js';
import { checkDrawLayoutSize } from '../draw/drawLimits.js';
import { graphEdges } from '../draw/graphEdges.js';
import { htmlPage } from '../draw/htmlPage.js';
import { renderSvg } from '../draw/renderSvg.js';
import { toDot } from '../draw/toDot.js';
import { toMermaid } from '../draw/toMermaid.js';
import { loadEntryOrConfig } from '../load/loadEntryOrConfig.js';
import { formatPlan } from '../plan/formatPlan.js';
import { reportProblems } from './planCommand.js';

type DrawFormat = 'mermaid' | 'dot' | 'svg' | 'html';

/** `kas-graph draw <entry>`: the start and stop graphs as Mermaid, DOT, SVG or HTML. */
export function addDrawCommand(program: Command, io: CliIo, exit: (code: number) => void): void {
  program
    .command('draw')
    .description(
      'draw the start and stop graphs, stages as clusters; SVG and HTML render offline (Graphviz in WebAssembly)',
    )
    .argument(
      '[entry]',
      'a JS/TS file or package directory exporting an app composition; #name picks a named export (optional with --config)',
    )
    .option('--config <kas.yaml>', 'the graph kas --config runs with this kas.yaml (loaded modules included)')
    .addOption(
      new Option('--format <format>', 'picture format')
        .choices(['mermaid', 'dot', 'svg', 'html'])
        .default('mermaid'),
    )
    .option('-o, --output <file>', 'write the picture to a file instead of stdout')
    .action(
      async (
        entry: string | undefined,
        options: { readonly format: DrawFormat; readonly output?: string; readonly config?: string },
      ) => {
        const graph = await loadEntryOrConfig(entry, options.config, io.cwd);
        const code = reportProblems(io, graph);
        if (graph.plan === undefined) {
          exit(code);
          return;
        }
        const title = `kas-graph: ${graph.label}`;
        const dot = toDot(graph.plan, title);
        const edges = graphEdges(graph.plan);
        const size = { modules: graph.plan.modules.length, edges: edges.start.length + edges.stop.length };
        if (options.format === 'svg' || options.format === 'html') checkDrawLayoutSize(size, options.format);
        const text =
          options.format === 'mermaid'
            ? toMermaid(graph.plan)
            : options.format === 'dot'
              ? dot
              : options.format === 'svg'
                ? await renderSvg(dot, size)
                : htmlPage(title, [{ svg: await renderSvg(dot, size) }, { text: formatPlan(graph.plan) }]);
        writeOutput(io, text, options.output);
        exit(code);
      },
    );
}
