import { basename, extname } from 'node:path';
import type { Command } from 'commander';
import { CliError } from '../CliError.js';
import { type CliIo, writeOutput } from '../CliIo.js';
import { htmlPage } from '../draw/htmlPage.js';
import { KAS_GRAPH_EXIT_CODES } from '../exitCodes.js';
import { drawableText } from '../timeline/drawableText.js';
import { readTrace } from '../timeline/readTrace.js';
import { toTimeline } from '../timeline/toTimeline.js';

/** `kas-graph timeline <trace.jsonl> -o out.svg|out.html`: a recorded lifecycle as a Gantt chart. */
export function addTimelineCommand(program: Command, io: CliIo, exit: (code: number) => void): void {
  program
    .command('timeline')
    .description(
      'draw a recorded lifecycle trace as a Gantt chart: a row per module, phases, signals, marks and drain cuts',
    )
    .argument(
      '<trace>',
      'a lifecycle trace, JSON lines: written by kas --trace-file <file> (AppOptions.traceFile)',
    )
    .requiredOption('-o, --output <file>', 'the picture to write: .svg or .html')
    .option('--stop-only', 'start the time axis at the stop (SIGTERM) and leave out what came before')
    .action(async (trace: string, options: { readonly output: string; readonly stopOnly?: boolean }) => {
      const extension = extname(options.output).toLowerCase();
      if (extension !== '.svg' && extension !== '.html') {
        throw new CliError(
          'KAS_GRAPH_USAGE',
          `-o ${options.output}: the timeline is written as .svg or .html`,
          'name the output file out.svg or out.html',
        );
      }
      const events = readTrace(trace);
      const timeline = toTimeline(events, options.stopOnly === true);
      const title = `lifecycle timeline: ${drawableText(basename(trace))}`;
      // Loaded here, not with the CLI: the chart's fonts and vega are for this command only.
      const [{ renderTimeline }, { timelineSpec }] = await Promise.all([
        import('../timeline/renderTimeline.js'),
        import('../timeline/timelineSpec.js'),
      ]);
      const svg = await renderTimeline(timelineSpec(timeline, title));
      const eventLines = events.map((event) => JSON.stringify(event)).join('\n');
      writeOutput(
        io,
        extension === '.svg' ? svg : htmlPage(title, [{ svg }, { text: eventLines }]),
        options.output,
      );
      exit(KAS_GRAPH_EXIT_CODES.clean);
    });
}
