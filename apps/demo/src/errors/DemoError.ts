import type { DemoErrorCode } from './errorCodes.js';

/** The base of every error the demo and its cluster harness throw: a stable `code`, a message, a `fix`. */
export class DemoError extends Error {
  override readonly name = 'DemoError';

  constructor(
    readonly code: DemoErrorCode,
    message: string,
    readonly fix: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
