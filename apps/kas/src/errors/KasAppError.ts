import type { KasAppErrorCode } from './errorCodes.js';

/** The base of every error the kas app throws: a stable `code`, a message naming what is wrong, a `fix`. */
export class KasAppError extends Error {
  override readonly name = 'KasAppError';

  constructor(
    readonly code: KasAppErrorCode,
    message: string,
    readonly fix: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
