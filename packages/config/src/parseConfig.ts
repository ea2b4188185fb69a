import type { z } from 'zod';
import { toConfigIssues } from './configIssues.js';
import { ConfigIssuesError } from './errors/ConfigIssuesError.js';

/**
 * Parses `input` with a config schema, filling in defaults. On failure calls `invalid` with the problems
 * on one line (`listen: expected host:port ... (got "8150"); ...`) and a `ConfigIssuesError` to pass on as
 * the `cause`, and throws what it returns: the package's own error, with its own code.
 *
 * @example
 * const config = parseConfig(agentGrpcServerConfigSchema, input, (problems, cause) =>
 *   new AgentGrpcError('KAS_INVALID_CONFIG', `agent-grpc-server config: ${problems}`, FIX, { cause }));
 */
export function parseConfig<S extends z.ZodType>(
  schema: S,
  input: unknown,
  invalid: (problems: string, cause: ConfigIssuesError) => Error,
): z.output<S> {
  const result = schema.safeParse(input, { reportInput: true }); // `(got ...)` in messages
  if (result.success) return result.data;
  const cause = new ConfigIssuesError(toConfigIssues(result.error, schema));
  throw invalid(cause.message, cause);
}
