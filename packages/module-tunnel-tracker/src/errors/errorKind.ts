import { sentinelCause } from './sentinelCause.js';

/**
 * What makes two errors of a Redis connection or store the same trouble, so that it is logged once however
 * often it repeats: a Redis error reply's code, its first word (`OOM`, `READONLY`, `NOAUTH`, `WRONGPASS`;
 * the rest of a script's reply names the script and its line), a system error's code (`ECONNREFUSED`),
 * else the whole message (`Command timed out`). A sentinel's error is `sentinel ` and the kind of what the
 * sentinel said, whatever retry delay ioredis's message names.
 */
export function errorKind(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const fromSentinel = sentinelCause(message);
  if (fromSentinel !== undefined) {
    return `sentinel ${fromSentinel.reason === undefined ? 'unreachable' : errorKind(fromSentinel.reason)}`;
  }
  const replyCode = /^[A-Z][A-Z_]+(?=\s)/.exec(message)?.[0];
  if (replyCode !== undefined && replyCode !== 'ERR') return replyCode;
  const systemCode = (error as { code?: unknown } | undefined)?.code;
  return typeof systemCode === 'string' ? systemCode : message;
}
