import { CoreError } from '@kas/core';
import type { KubeProxyErrorCode } from './errorCodes.js';

/**
 * The base of every error `@kas/module-kube-proxy` throws or rejects with: a stable `code` to branch on,
 * a message that names what is wrong, and a `fix` that says what to change.
 */
export class KubeProxyError extends CoreError<KubeProxyErrorCode> {
  override readonly name: string = 'KubeProxyError';
}
