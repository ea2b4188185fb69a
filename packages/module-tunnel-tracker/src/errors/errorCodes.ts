/**
 * Every error code `@kas/module-tunnel-tracker` throws, with what it means. The package README lists the
 * same table; a test keeps the two in step.
 */
export const TUNNEL_TRACKER_ERROR_CODES = {
  KAS_TUNNEL_DIRECTORY_UNAVAILABLE:
    'a look-up could not be answered: the Redis connection is down, reconnecting or closed, or the look-up failed or timed out',
  KAS_REDIS_UNREACHABLE: 'the Redis connection did not become ready within its start budget',
  KAS_REDIS_AUTH_FAILED:
    "Redis, or a Sentinel asked where the master is, refused the connection's credentials at start: it asks for a password none was given for, or refuses the one given",
  KAS_TUNNEL_TRACKER_CONFIG_INVALID:
    'a tunnel tracker option is malformed or the timings contradict each other',
  KAS_REDIS_CONFIG_INVALID: 'the Redis connection configuration is malformed',
  KAS_TUNNEL_TRACKER_STATE: 'the tracker was started when it was not idle (started twice, or after a stop)',
} as const;

/** A stable error code of `@kas/module-tunnel-tracker`; callers branch on it. */
export type TunnelTrackerErrorCode = keyof typeof TUNNEL_TRACKER_ERROR_CODES;
