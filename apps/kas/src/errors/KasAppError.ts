import { CoreError } from '@kas/core';
import type { KasAppErrorCode } from './errorCodes.js';

/** The base of every error the kas app throws: a stable `code`, a message naming what is wrong, a `fix`. */
export class KasAppError extends CoreError<KasAppErrorCode> {
  override readonly name: string = 'KasAppError';
}
