import { CoreError } from '@kas/core';
import type { TunnelTrackerErrorCode } from './errorCodes.js';

/**
 * The base of every error `@kas/module-tunnel-tracker` throws: a stable `code` to branch on, a message
 * that names what is wrong (which address, which option), and a `fix` that says what to change.
 */
export class TunnelTrackerError extends CoreError<TunnelTrackerErrorCode> {
  override readonly name: string = 'TunnelTrackerError';
}
