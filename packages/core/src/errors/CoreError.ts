import type { CoreErrorCode } from './errorCodes.js';

/**
 * The base of every error `@kas/core` throws: a stable `code` to branch on, a message that names what
 * is wrong, and a `fix` that says what to change.
 */
export class CoreError<C extends string = CoreErrorCode> extends Error {
  override readonly name: string = 'CoreError';

  constructor(
    readonly code: C,
    message: string,
    readonly fix: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
