/**
 * What makes two errors of a Redis connection or store the same trouble, so that it is logged once however
 * often it repeats: a Redis error reply's code, its first word (`OOM`, `READONLY`, `NOAUTH`, `WRONGPASS`;
 * the rest of a script's reply names the script and its line), a system error's code (`ECONNREFUSED`),
 * else the whole message (`Command timed out`).
 */
export function errorKind(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const replyCode = /^[A-Z][A-Z_]+(?=\s)/.exec(message)?.[0];
  if (replyCode !== undefined && replyCode !== 'ERR') return replyCode;
  const systemCode = (error as { code?: unknown } | undefined)?.code;
  return typeof systemCode === 'string' ? systemCode : message;
}

/**
 * Why Redis refused this client's credentials, as a fix naming the keys to change; undefined for any other
 * error. `NOAUTH`: Redis asks for a password the client does not send; `WRONGPASS` (Redis 6 and later) or
 * `ERR invalid password` (before): it refuses the one sent.
 */
export function credentialsFix(error: unknown): string | undefined {
  const kind = errorKind(error);
  const message = error instanceof Error ? error.message : String(error);
  if (kind === 'NOAUTH')
    return 'Redis asks for a password and none is sent: set redis.passwordFile in kas.yaml (KAS_REDIS__PASSWORD_FILE) to a file holding it, or give it in the URL (redis://:password@host:6379)';
  if (kind === 'WRONGPASS' || /^ERR invalid (username-)?password/i.test(message))
    return 'Redis refuses the password (or user) sent: correct the file redis.passwordFile names in kas.yaml (KAS_REDIS__PASSWORD_FILE), or the user:password in the URL';
  return undefined;
}
