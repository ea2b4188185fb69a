import { CoreError } from '@kas/core';
import type { DemoErrorCode } from './errorCodes.js';

/** The base of every error the demo and its cluster harness throw: a stable `code`, a message, a `fix`. */
export class DemoError extends CoreError<DemoErrorCode> {
  override readonly name: string = 'DemoError';
}
