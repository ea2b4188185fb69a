import { errorKind } from './errorKind.js';
import { sentinelCause } from './sentinelCause.js';

/** Credentials refused by a Redis server or by a Sentinel, with what to change. */
export interface CredentialsRefusal {
  /** A Sentinel asked where the master is, or the Redis server itself. */
  readonly refusedBy: 'redis' | 'sentinel';
  /** The sentinel's `host:port`, when ioredis named it. */
  readonly sentinel?: string;
  /** The reply that refused them (`NOAUTH ...`, `WRONGPASS ...`). */
  readonly reply: string;
  /** Which keys to change. */
  readonly fix: string;
}

/**
 * Whether `error` says Redis, or a Sentinel, refused this client's credentials; undefined for any other
 * error. `NOAUTH`: a password is asked for and none is sent; `WRONGPASS` (Redis 6 and later) or
 * `ERR invalid password` (before): the one sent is refused. Sentinels have a password of their own
 * (ioredis's `sentinelPassword`, kas's `redis.sentinel.passwordFile`), so their fix names that key.
 */
export function credentialsRefusal(error: unknown): CredentialsRefusal | undefined {
  const message = error instanceof Error ? error.message : String(error);
  const fromSentinel = sentinelCause(message);
  const reply = fromSentinel === undefined ? message : fromSentinel.reason;
  if (reply === undefined) return undefined;
  const refusal = refusalOf(reply);
  if (refusal === undefined) return undefined;
  if (fromSentinel === undefined) return { refusedBy: 'redis', reply, fix: REDIS_FIX[refusal] };
  return {
    refusedBy: 'sentinel',
    ...(fromSentinel.sentinel === undefined ? {} : { sentinel: fromSentinel.sentinel }),
    reply,
    fix: SENTINEL_FIX[refusal],
  };
}

function refusalOf(reply: string): 'missing' | 'wrong' | undefined {
  const kind = errorKind(reply);
  if (kind === 'NOAUTH') return 'missing';
  if (kind === 'WRONGPASS' || /^ERR invalid (username-)?password/i.test(reply)) return 'wrong';
  return undefined;
}

const REDIS_FIX = {
  missing:
    'Redis asks for a password and none is sent: set redis.passwordFile in kas.yaml (KAS_REDIS__PASSWORD_FILE) to a file holding it, or give it in the URL (redis://:password@host:6379)',
  wrong:
    'Redis refuses the password (or user) sent: correct the file redis.passwordFile names in kas.yaml (KAS_REDIS__PASSWORD_FILE), or the user:password in the URL',
} as const;

const SENTINEL_FIX = {
  missing:
    "the Sentinel asks for a password of its own (its requirepass) and none is sent: set redis.sentinel.passwordFile in kas.yaml (KAS_REDIS__SENTINEL__PASSWORD_FILE) to a file holding it (ioredis's sentinelPassword); a Helm chart with auth.sentinel (Bitnami's default) gives the sentinels the Redis password, which redis.passwordFile names for the servers",
  wrong:
    "the Sentinel refuses the password sent to it: correct the file redis.sentinel.passwordFile names in kas.yaml (KAS_REDIS__SENTINEL__PASSWORD_FILE; ioredis's sentinelPassword) to hold the sentinels' requirepass, which may differ from the servers' password (redis.passwordFile)",
} as const;
