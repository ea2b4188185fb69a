import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CliError } from './CliError.js';

/** Where a command reads and writes: the current directory and the two output streams. */
export interface CliIo {
  readonly cwd: string;
  write(text: string): void;
  error(text: string): void;
  /** True when `write` goes to a terminal: `watch` then redraws in place instead of printing lines. */
  readonly isTerminal?: boolean;
}

/** Writes a command's output to `output` (relative to the current directory), or to stdout without one. */
export function writeOutput(io: CliIo, text: string, output: string | undefined): void {
  if (output === undefined) {
    io.write(text);
    return;
  }
  try {
    writeFileSync(resolve(io.cwd, output), text);
  } catch (error) {
    throw new CliError(
      'KAS_GRAPH_OUTPUT_FAILED',
      `cannot write ${output}: ${(error as Error).message}`,
      'give a path in a directory that exists and is writable',
      { cause: error },
    );
  }
}
