import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { type CliFailure, describeFailure, formatFailure } from './CliFailure.js';
import type { CliIo } from './CliIo.js';
import { addDrawCommand } from './commands/drawCommand.js';
import { addExplainCommand } from './commands/explainCommand.js';
import { addLintCommand } from './commands/lintCommand.js';
import { addPlanCommand } from './commands/planCommand.js';
import { addTimelineCommand } from './commands/timelineCommand.js';
import { addWatchCommand } from './commands/watchCommand.js';
import { KAS_GRAPH_EXIT_CODES } from './exitCodes.js';
import { helpFailure, usageFailure } from './usageFailure.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/** Runs `kas-graph` with the arguments after the program name; resolves with the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode: number = KAS_GRAPH_EXIT_CODES.clean;
  const exit = (code: number) => {
    exitCode = code;
  };
  // commander's own usage errors are kept here, to be printed as KAS_GRAPH_USAGE like every other error
  let usage: CliFailure | undefined;
  const keepUsageError = (command: string | undefined) => (text: string) => {
    usage = usageFailure(text, command);
  };
  const program = new Command('kas-graph')
    .description('lint, print and draw kas module graphs, draw recorded shutdowns, and watch a stop live')
    .version(version)
    .option('--debug', 'on an error, also print its stack (and in JSON and SARIF documents)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.write(text),
      writeErr: (text) => io.error(text),
      outputError: keepUsageError(undefined),
    });
  addLintCommand(program, io, version, exit);
  addPlanCommand(program, io, exit);
  addDrawCommand(program, io, exit);
  addTimelineCommand(program, io, exit);
  addWatchCommand(program, io, exit);
  addExplainCommand(program, io, exit);
  for (const command of program.commands) {
    command.exitOverride();
    if (command.name() !== 'help') command.configureOutput({ outputError: keepUsageError(command.name()) });
  }

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return KAS_GRAPH_EXIT_CODES.clean;
      // `kas-graph` alone, or `kas-graph help <unknown>`: commander printed the help to stderr
      const failure =
        usage ??
        (error.code === 'commander.help' ? helpFailure(argv) : usageFailure(error.message, undefined));
      io.error(formatFailure(failure));
      return KAS_GRAPH_EXIT_CODES.usage;
    }
    io.error(formatFailure(describeFailure(error, program.opts<{ debug?: boolean }>().debug === true)));
    return KAS_GRAPH_EXIT_CODES.usage;
  }
}
