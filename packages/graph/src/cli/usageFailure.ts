import type { CliFailure } from './CliFailure.js';

/**
 * A usage error of commander (an unknown option or command, a missing or bad argument) as kas-graph's
 * own `KAS_GRAPH_USAGE`: commander's words without its `error: ` prefix, its did-you-mean on the same
 * line, and a fix naming the help of the command it was parsing (`command`, undefined for the program).
 */
export function usageFailure(commanderMessage: string, command: string | undefined): CliFailure {
  const message = commanderMessage
    .trim()
    .replace(/^error: /, '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' ');
  return {
    code: 'KAS_GRAPH_USAGE',
    message,
    fix:
      command === undefined
        ? 'run kas-graph help for its commands'
        : `run kas-graph help ${command} for its options`,
    isInternal: false,
  };
}

/**
 * The failure of a run commander answered with its help on stderr: `kas-graph` without a command, or
 * `kas-graph help <command>` naming no command it has.
 */
export function helpFailure(argv: readonly string[]): CliFailure {
  const operands = argv.filter((argument) => !argument.startsWith('-'));
  if (operands[0] === 'help' && operands[1] !== undefined) {
    return usageFailure(`unknown command '${operands[1]}'`, undefined);
  }
  return {
    code: 'KAS_GRAPH_USAGE',
    message: 'no command given',
    fix: 'run one of the commands above, e.g. kas-graph lint <entry>',
    isInternal: false,
  };
}
