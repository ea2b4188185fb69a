import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DemoError } from '../errors/DemoError.js';

const run = promisify(execFile);

/** `kas-graph timeline <trace> -o <svg> --stop-only`: the shutdown recorded in a trace, as a picture. */
export async function drawTimeline(kasGraph: string, traceFile: string, svgFile: string): Promise<void> {
  try {
    await run(process.execPath, [kasGraph, 'timeline', traceFile, '-o', svgFile, '--stop-only']);
  } catch (error) {
    throw new DemoError(
      'KAS_DEMO_PROCESS_FAILED',
      `kas-graph timeline could not draw ${traceFile}: ${(error as { stderr?: string }).stderr ?? (error as Error).message}`,
      'run the same kas-graph command by hand to see why; the trace file is kept in the results folder',
      { cause: error },
    );
  }
}
