import { CoreError } from '@kas/core';
import type { AgentkErrorCode } from './errorCodes.js';

/** The base of every error agentk throws: a stable `code`, a message naming what is wrong, and a `fix`. */
export class AgentkError extends CoreError<AgentkErrorCode> {
  override readonly name: string = 'AgentkError';
}
