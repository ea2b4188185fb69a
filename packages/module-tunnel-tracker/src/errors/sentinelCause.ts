/** An error a sentinel gave, unwrapped from the message ioredis's Sentinel connector wraps it in. */
export interface SentinelCause {
  /** The sentinel's `host:port`, when the message names it (ioredis's `sentinelError` event). */
  readonly sentinel?: string;
  /** The sentinel's own error message (`NOAUTH ...`, `connect ECONNREFUSED ...`); undefined when none was given. */
  readonly reason: string | undefined;
}

const ONE_SENTINEL = /^failed to connect to sentinel (\S+) because ([\s\S]*)$/;
const EVERY_SENTINEL =
  /^All sentinels are unreachable(?: and retry is disabled|\. Retrying from scratch after \d+ms)\.(?: Last error: ([\s\S]*))?$/;

/**
 * What a sentinel said, when `message` is one of ioredis's Sentinel connector: `failed to connect to sentinel
 * <host:port> because <reason>` (a `sentinelError` event, one sentinel) or `All sentinels are unreachable.
 * Retrying from scratch after <n>ms. Last error: <reason>` (an `error` event, after every sentinel failed).
 * Undefined for any other message.
 */
export function sentinelCause(message: string): SentinelCause | undefined {
  const one = ONE_SENTINEL.exec(message);
  if (one !== null) return { sentinel: one[1], reason: one[2] };
  const every = EVERY_SENTINEL.exec(message);
  return every === null ? undefined : { reason: every[1] };
}
