import type { KubeProxyErrorCode } from './errorCodes.js';

/**
 * The base of every error `@kas/module-kube-proxy` throws or rejects with: a stable `code` to branch on,
 * a message that names what is wrong, and a `fix` that says what to change.
 */
export class KubeProxyError extends Error {
  override readonly name: string = 'KubeProxyError';

  constructor(
    readonly code: KubeProxyErrorCode,
    message: string,
    readonly fix: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
