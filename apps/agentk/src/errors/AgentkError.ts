import type { AgentkErrorCode } from './errorCodes.js';

/** The base of every error agentk throws: a stable `code`, a message naming what is wrong, and a `fix`. */
export class AgentkError extends Error {
  override readonly name: string = 'AgentkError';

  constructor(
    readonly code: AgentkErrorCode,
    message: string,
    readonly fix: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
