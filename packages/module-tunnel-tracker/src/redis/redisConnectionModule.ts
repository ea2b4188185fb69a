import { parseConfig } from '@kas/config';
import { defineModule, formatDuration, type LifecycleContext } from '@kas/core';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { type CredentialsRefusal, credentialsRefusal } from '../errors/credentialsRefusal.js';
import { errorKind } from '../errors/errorKind.js';
import { TunnelTrackerError } from '../errors/TunnelTrackerError.js';
import { REDIS_CONNECTION } from '../moduleRefs.js';
import { describeClusterNodes, describeRedisOptions, describeRedisUrl } from './describeRedisAddress.js';
import { type RedisClient, RedisToken } from './RedisClient.js';
import { RedisHealthToken, RedisStallWatch } from './RedisStallWatch.js';
import { type RedisConnectionConfig, redisConnectionConfigSchema } from './redisConnectionConfigSchema.js';

/**
 * How long a command may wait for its reply unless `commandTimeout` is set: look-ups of the tunnel
 * directory fail fast on a stalled Redis instead of hanging the request that asked.
 */
export const DEFAULT_COMMAND_TIMEOUT_MS = 2_000;

/**
 * The `redis-connection` module: one ioredis client (single server, Sentinel or Cluster) provided as
 * `RedisToken`. Connects in start with ioredis's own retries until its start budget, then fails with
 * `KAS_REDIS_UNREACHABLE` naming the address. Reconnects by itself while running. Quits in stop;
 * disconnects at once when the connection is down or its drain budget ends. Parses `input` with
 * `redisConnectionConfigSchema` at once; throws `KAS_REDIS_CONFIG_INVALID` naming each bad key.
 */
export function redisConnectionModule(input: RedisConnectionConfig = {}) {
  const config = parseConfig(
    redisConnectionConfigSchema,
    input,
    (problems, cause) =>
      new TunnelTrackerError(
        'KAS_REDIS_CONFIG_INVALID',
        `redis-connection config: ${problems}`,
        'give a url (redis://host:6379 or rediss:// for TLS) with ioredis options, or cluster: [startup nodes]',
        { cause },
      ),
  );
  const address = describeConfig(config);
  return defineModule({
    name: REDIS_CONNECTION,
    // Infrastructure: after every other module, whenever composed (the tracker's look-ups keep working
    // for the draining kube proxy until then).
    stop: { last: true },
    drainBudget: '5s',
    provides: { redis: RedisToken, health: RedisHealthToken },
    create: ({ log }) => {
      const client = createClient(config);
      watchConnection(client, address, log as Logger);
      const stallWatch = new RedisStallWatch(client, address, commandTimeoutOf(config), log as Logger);
      return {
        provides: { redis: client, health: stallWatch },
        start: (ctx: LifecycleContext) => connect(client, address, ctx),
        stop: (ctx: LifecycleContext) => {
          stallWatch.stop();
          return close(client, ctx);
        },
      };
    },
  });
}

function createClient(config: RedisConnectionConfig): RedisClient {
  if ('cluster' in config) {
    return new Cluster([...config.cluster], {
      ...config.options,
      redisOptions: { commandTimeout: DEFAULT_COMMAND_TIMEOUT_MS, ...config.options?.redisOptions },
      lazyConnect: true,
    });
  }
  const options: RedisOptions = {
    commandTimeout: DEFAULT_COMMAND_TIMEOUT_MS,
    ...config.options,
    lazyConnect: true,
  };
  return config.url === undefined ? new Redis(options) : new Redis(config.url, options);
}

function commandTimeoutOf(config: RedisConnectionConfig): number {
  const timeout =
    'cluster' in config ? config.options?.redisOptions?.commandTimeout : config.options?.commandTimeout;
  return timeout ?? DEFAULT_COMMAND_TIMEOUT_MS;
}

function describeConfig(config: RedisConnectionConfig): string {
  if ('cluster' in config) return describeClusterNodes(config.cluster);
  return config.url === undefined ? describeRedisOptions(config.options) : describeRedisUrl(config.url);
}

/**
 * Logs the connection's life: one warning per outage, not one per reconnect attempt, and one warning for
 * each kind of error while it lasts (a refused connection, then a password Redis now asks for), so an
 * outage that does not end says why; repeats of a kind are debug lines.
 */
function watchConnection(client: RedisClient, address: string, log: Logger): void {
  let hasBeenReady = false;
  let isDown = false;
  /** The kind of error last warned about since the connection was last ready. */
  let warnedKind: string | undefined;
  client.on('ready', () => {
    if (isDown) log.info({ event: 'redis.back', address }, 'Redis connection is back');
    else if (!hasBeenReady) log.info({ event: 'redis.ready', address }, 'Redis connection ready');
    hasBeenReady = true;
    isDown = false;
    warnedKind = undefined;
  });
  client.on('close', () => {
    if (!hasBeenReady || isDown || client.status === 'end') return;
    isDown = true;
    log.warn({ event: 'redis.lost', address }, 'Redis connection lost; ioredis reconnects');
  });
  client.on('error', (error: Error) => {
    const kind = errorKind(error);
    // Before the first ready, the start reports (redis.waiting, then its error).
    if (!hasBeenReady || kind === warnedKind) {
      log.debug({ event: 'redis.error', address, err: error }, 'Redis connection error');
      return;
    }
    warnedKind = kind;
    const refusal = credentialsRefusal(error);
    log.warn(
      {
        event: 'redis.error',
        address,
        reason: error.message,
        ...(refusal === undefined ? {} : { fix: refusal.fix }),
      },
      refusal === undefined
        ? `Redis connection error at ${address}: ${error.message}`
        : `${refusedBy(refusal, address)} refused this client's credentials (${refusal.reply}); ${refusal.fix}`,
    );
  });
  client.on('end', () => log.info({ event: 'redis.closed', address }, 'Redis connection closed'));
}

/**
 * Resolves when the client is ready. ioredis retries with its own backoff meanwhile; the start budget
 * decides when to give up (a little before it, so the error that names the address is the one reported).
 * Credentials Redis refuses fail the start at once (`KAS_REDIS_AUTH_FAILED`): retrying cannot change them.
 * So do a Sentinel's, once every sentinel failed and one of them refused them.
 */
async function connect(client: RedisClient, address: string, ctx: LifecycleContext): Promise<void> {
  const startedAt = Date.now();
  let lastError: unknown;
  let refuseCredentials: (refusal: CredentialsRefusal, error: Error, sentinels: readonly string[]) => void =
    () => {};
  // The sentinels that refused the credentials in this round of asking every sentinel: ioredis's
  // `sentinelError` names each one, its `error` after a round where all failed names only the last error.
  const refusingSentinels = new Map<string, CredentialsRefusal>();
  const onSentinelError = (error: Error) => {
    const refusal = credentialsRefusal(error);
    if (refusal?.sentinel !== undefined) refusingSentinels.set(refusal.sentinel, refusal);
  };
  const onError = (error: Error) => {
    const sentinels = [...refusingSentinels.keys()];
    const [firstRefusal] = refusingSentinels.values();
    const isEverySentinelFailed = errorKind(error).startsWith('sentinel ');
    if (isEverySentinelFailed) refusingSentinels.clear();
    // All sentinels failed and one refused the credentials: the others are not reached, or refuse too.
    const refusal = credentialsRefusal(error) ?? (isEverySentinelFailed ? firstRefusal : undefined);
    if (refusal !== undefined) {
      refuseCredentials(refusal, error, sentinels);
      return;
    }
    // Once, so the wait is not silent (it lasts up to the start budget: 30 s in kas).
    if (lastError === undefined)
      ctx.log.warn(
        { event: 'redis.waiting', address, reason: error.message },
        `cannot reach Redis at ${address} yet (${error.message}); ioredis retries until the start budget ends in ${formatDuration(Math.max(0, ctx.deadline - Date.now()))}`,
      );
    lastError = error;
  };
  client.on('error', onError);
  client.on('sentinelError', onSentinelError);
  let giveUp: NodeJS.Timeout | undefined;
  let cleanUp = () => {};
  try {
    await new Promise<void>((resolve, reject) => {
      const fail = (why: string) => () => {
        const detail = lastError instanceof Error ? `: ${lastError.message}` : '';
        reject(
          new TunnelTrackerError(
            'KAS_REDIS_UNREACHABLE',
            `redis-connection could not reach Redis at ${address} ${why} (${formatDuration(Date.now() - startedAt)})${detail}`,
            `check that Redis runs at ${address} and is reachable from this host (redis.url, redis.sentinel or redis.cluster in kas.yaml); kas waits for it up to 30 s at start (the start budget of "redis-connection": to wait longer, set overrides: { redis-connection: { startBudget: 2m } } in kas.yaml), so start Redis first or let kas be restarted`,
            lastError === undefined ? undefined : { cause: lastError },
          ),
        );
      };
      refuseCredentials = (refusal, error, sentinels) => {
        const who =
          refusal.refusedBy === 'sentinel' && sentinels.length > 0
            ? `the sentinel${sentinels.length === 1 ? '' : 's'} ${sentinels.join(', ')} (of ${address})`
            : refusedBy(refusal, address);
        reject(
          new TunnelTrackerError(
            'KAS_REDIS_AUTH_FAILED',
            `redis-connection: ${who} refused this client's credentials: ${refusal.reply}`,
            refusal.fix,
            { cause: error },
          ),
        );
      };
      const onReady = () => resolve();
      const onEnd = fail('and ioredis stopped retrying');
      // Abandoned (another module failed, or a stop came): not Redis's fault, so no word about reaching it.
      const onAbort = () => reject(ctx.signal.reason);
      client.once('ready', onReady);
      client.once('end', onEnd);
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      cleanUp = () => {
        client.off('ready', onReady);
        client.off('end', onEnd);
        ctx.signal.removeEventListener('abort', onAbort);
      };
      const marginMs = Math.min(250, Math.max(0, (ctx.deadline - startedAt) / 10));
      giveUp = setTimeout(fail('within its start budget'), Math.max(0, ctx.deadline - startedAt - marginMs));
      client.connect().catch((error: unknown) => {
        lastError ??= error;
      });
    });
  } catch (error) {
    client.disconnect();
    throw error;
  } finally {
    clearTimeout(giveUp);
    cleanUp();
    client.off('error', onError);
    client.off('sentinelError', onSentinelError);
  }
}

/** Who refused: `Redis at <address>`, or `the Sentinel of sentinel "name" via <sentinels>`. */
function refusedBy(refusal: CredentialsRefusal, address: string): string {
  return refusal.refusedBy === 'sentinel' ? `the Sentinel of ${address}` : `Redis at ${address}`;
}

/** QUIT when connected and wait for the close (bounded by the drain budget); otherwise disconnect at once. */
async function close(client: RedisClient, ctx: LifecycleContext): Promise<void> {
  if (client.status === 'end') return;
  // QUIT on a connection that is down waits for a reconnect that may never come.
  if (client.status !== 'ready') {
    client.disconnect();
    return;
  }
  const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
  const cut = new Promise<void>((resolve) =>
    ctx.signal.addEventListener('abort', () => resolve(), { once: true }),
  );
  const quit = client.quit().then(
    () => ended,
    (error: unknown) =>
      ctx.log.warn({ event: 'redis.quitFailed', err: error }, 'Redis QUIT failed; disconnecting'),
  );
  await Promise.race([quit, cut]);
  // The drain budget ended, or QUIT failed: drop the connection (ioredis destroys it after disconnectTimeout).
  if ((client.status as string) !== 'end') client.disconnect();
}
