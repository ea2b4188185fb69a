import { CoreError } from '@kas/core';
import type { StatusDetails } from '../objects/KubeObject.js';
import type { FakeKubeApiErrorCode } from './errorCodes.js';

/**
 * The base of every error `@kas/fake-kube-api` throws: a stable `code` to branch on, a message that
 * names what is wrong (worded as the real API server words it, e.g. `pods "web" not found`), and a
 * `fix`. `details` is what the HTTP answer's `Status.details` carries when the error reaches a client.
 */
export class FakeKubeApiError extends CoreError<FakeKubeApiErrorCode> {
  override readonly name: string = 'FakeKubeApiError';

  constructor(
    code: FakeKubeApiErrorCode,
    message: string,
    fix: string,
    readonly details?: StatusDetails,
    options?: ErrorOptions,
  ) {
    super(code, message, fix, options);
  }
}
