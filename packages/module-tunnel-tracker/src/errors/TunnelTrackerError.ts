import type { TunnelTrackerErrorCode } from './errorCodes.js';

/**
 * The base of every error `@kas/module-tunnel-tracker` throws: a stable `code` to branch on, a message
 * that names what is wrong (which address, which option), and a `fix` that says what to change.
 */
export class TunnelTrackerError extends Error {
  override readonly name: string = 'TunnelTrackerError';

  constructor(
    readonly code: TunnelTrackerErrorCode,
    message: string,
    readonly fix: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
