import { CliError } from './CliError.js';
import { describeThrown } from './describeThrown.js';

/** Why a run of `kas-graph` failed, as it reports it: on stderr, and in a JSON or SARIF document. */
export interface CliFailure {
  readonly code: string;
  readonly message: string;
  readonly fix: string;
  /** True for anything but a `CliError`: a bug in kas-graph, not a problem in the user's input. */
  readonly isInternal: boolean;
  /** The stack (with its causes), only when asked for with `--debug`. */
  readonly stack?: string;
}

/**
 * Describes what a command threw. A `CliError` is the user's to fix; anything else is kas-graph's own
 * failure, reported as `KAS_GRAPH_INTERNAL` so nobody goes looking for a mistake in a declaration.
 */
export function describeFailure(error: unknown, isDebug: boolean): CliFailure {
  const stack = isDebug ? stackWithCauses(error) : undefined;
  const withStack = stack === undefined ? {} : { stack };
  if (error instanceof CliError) {
    return { code: error.code, message: error.message, fix: error.fix, isInternal: false, ...withStack };
  }
  return {
    code: 'KAS_GRAPH_INTERNAL',
    message: `internal error: ${describeThrown(error)}. This is a bug in kas-graph, not a problem in your graph: please report it`,
    fix: 'report it with the command line and the output of the same command with --debug (it adds the stack)',
    isInternal: true,
    ...withStack,
  };
}

/** The human form of a failure, for stderr. */
export function formatFailure(failure: CliFailure): string {
  const stack = failure.stack === undefined ? '' : `${failure.stack}\n`;
  return `kas-graph: ${failure.code}: ${failure.message}\n  fix: ${failure.fix}\n${stack}`;
}

function stackWithCauses(error: unknown): string {
  const parts: string[] = [];
  for (let current: unknown = error, depth = 0; current !== undefined && depth < 5; depth++) {
    parts.push(
      current instanceof Error ? (current.stack ?? describeThrown(current)) : describeThrown(current),
    );
    current = current instanceof Error ? current.cause : undefined;
    if (current !== undefined) parts.push('caused by:');
  }
  return parts.join('\n');
}
