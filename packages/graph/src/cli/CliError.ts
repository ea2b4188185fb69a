import { CoreError } from '@kas/core';
import type { CliErrorCode } from './cliErrorCodes.js';

/**
 * A usage or load error of `kas-graph`: the CLI prints `code`, message and fix and exits with 2.
 * Lint findings are not errors: they are the output.
 */
export class CliError extends CoreError<CliErrorCode> {
  override readonly name = 'CliError';
}
