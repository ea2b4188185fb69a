import { CoreError } from '@kas/core';
import type { AgentGrpcErrorCode } from './errorCodes.js';

/**
 * The base of every error `@kas/module-agent-grpc` throws or rejects with: a stable `code` to branch on,
 * a message that names what is wrong, and a `fix` that says what to change.
 */
export class AgentGrpcError extends CoreError<AgentGrpcErrorCode> {
  override readonly name: string = 'AgentGrpcError';
}
