import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { describeFailure, formatFailure } from './CliFailure.js';
import type { CliIo } from './CliIo.js';
import { addDrawCommand } from './commands/drawCommand.js';
import { addExplainCommand } from './commands/explainCommand.js';
import { addLintCommand } from './commands/lintCommand.js';
import { addPlanCommand } from './commands/planCommand.js';
import { addTimelineCommand } from './commands/timelineCommand.js';
import { addWatchCommand } from './commands/watchCommand.js';
import { KAS_GRAPH_EXIT_CODES } from './exitCodes.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/** Runs `kas-graph` with the arguments after the program name; resolves with the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode: number = KAS_GRAPH_EXIT_CODES.clean;
  const exit = (code: number) => {
    exitCode = code;
  };
  const program = new Command('kas-graph')
    .description('lint, print and draw kas module graphs, draw recorded shutdowns, and watch a stop live')
    .version(version)
    .option('--debug', 'on an error, also print its stack (and in JSON and SARIF documents)')
    .exitOverride()
    .showHelpAfterError('(run kas-graph help <command> for its options)')
    .configureOutput({ writeOut: (text) => io.write(text), writeErr: (text) => io.error(text) });
  addLintCommand(program, io, version, exit);
  addPlanCommand(program, io, exit);
  addDrawCommand(program, io, exit);
  addTimelineCommand(program, io, exit);
  addWatchCommand(program, io, exit);
  addExplainCommand(program, io, exit);
  for (const command of program.commands) command.exitOverride();

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? KAS_GRAPH_EXIT_CODES.clean : KAS_GRAPH_EXIT_CODES.usage;
    }
    io.error(formatFailure(describeFailure(error, program.opts<{ debug?: boolean }>().debug === true)));
    return KAS_GRAPH_EXIT_CODES.usage;
  }
}
