import type { AgentGrpcErrorCode } from './errorCodes.js';

/**
 * The base of every error `@kas/module-agent-grpc` throws or rejects with: a stable `code` to branch on,
 * a message that names what is wrong, and a `fix` that says what to change.
 */
export class AgentGrpcError extends Error {
  override readonly name: string = 'AgentGrpcError';

  constructor(
    readonly code: AgentGrpcErrorCode,
    message: string,
    readonly fix: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
