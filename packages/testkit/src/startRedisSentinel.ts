import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './freePort.js';
import { type RunningProcess, startProcess } from './startProcess.js';
import { type RedisServer, startRedis } from './startRedis.js';
import { scaledMs } from './timeoutScale.js';

const run = promisify(execFile);

/** A master unreachable this long counts as down, so a failover completes within seconds. */
const DOWN_AFTER_MS = 500;
const FAILOVER_TIMEOUT_MS = 2_000;
/** A replica's full sync starts at once, not after Redis's default 5 s wait for more replicas. */
const REPLICATION_ARGS = ['--repl-diskless-sync-delay', '0'];
/** How long each step of the start may take before it counts as not come up. */
const STEP_WITHIN_MS = 15_000;

/** One `redis-server --sentinel` process on a loopback port. */
export interface SentinelServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly process: RunningProcess;
  /** Shuts it down gracefully; resolves when it has exited. */
  stop(): Promise<void>;
  /** Kills it with SIGKILL, as an outage would; resolves when it has exited. */
  kill(): Promise<void>;
}

/** A master, one replica and the sentinels that watch them: real local processes, started for a test. */
export interface RedisSentinel {
  /** The name the sentinels monitor the master under: a Sentinel client's `name`. */
  readonly name: string;
  /** The server started as master. After a failover it is down, or a replica of the new master. */
  readonly master: RedisServer;
  /** The server started as the master's replica: the one a failover promotes. */
  readonly replica: RedisServer;
  readonly sentinels: readonly SentinelServer[];
  /** `{ host, port }` of every sentinel: what a Sentinel client takes as `sentinels`. */
  readonly sentinelNodes: readonly { readonly host: '127.0.0.1'; readonly port: number }[];
  /**
   * Where the sentinels say the master is now (`SENTINEL get-master-addr-by-name`), from the first that
   * answers. After a failover the sentinel that led it answers with the new master first; the others
   * learn it from their gossip within seconds.
   */
  masterAddress(): Promise<{ readonly host: string; readonly port: number }>;
  /** Stops the sentinels, then both servers, and removes their temp dirs; resolves when all have exited. */
  stop(): Promise<void>;
}

/** Options of `startRedisSentinel`. */
export interface StartRedisSentinelOptions {
  /** How many sentinels. Default 1. The quorum is a majority of them. */
  readonly sentinels?: number;
  /** The name the master is monitored under. Default `'kas-test'`. */
  readonly name?: string;
  /**
   * The master's and the replica's password (`requirepass`, and `masterauth` for the replica and
   * `sentinel auth-pass` for the sentinels). Default: none.
   */
  readonly password?: string;
  /**
   * The sentinels' own password (their `requirepass`; they also give it to each other), as a Helm chart's
   * `auth.sentinel` sets it. Default: none.
   */
  readonly sentinelPassword?: string;
}

/**
 * Starts a Redis Sentinel setup on free loopback ports: a master (`startRedis`), one replica of it
 * (`--replicaof`), and sentinels (`redis-server <config> --sentinel`) that declare the master down after
 * 500 ms, so killing it makes them promote the replica within seconds. Resolves when the replica is in
 * sync and every sentinel knows the master, the replica and the other sentinels. If a part does not come
 * up, stops what was started and throws an error naming that part. With `password` and
 * `sentinelPassword` the servers and the sentinels ask for them. Needs `redis-server` and `redis-cli`
 * on PATH. The caller stops it.
 */
export async function startRedisSentinel(options: StartRedisSentinelOptions = {}): Promise<RedisSentinel> {
  const name = options.name ?? 'kas-test';
  const count = options.sentinels ?? 1;
  if (!Number.isInteger(count) || count < 1) {
    throw new Error(`startRedisSentinel: sentinels must be a whole number of at least 1, got ${count}`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'kas-sentinel-'));
  const servers: RedisServer[] = [];
  const sentinels: SentinelServer[] = [];
  // Ends the waits still polling once one part has failed and everything is being stopped.
  const abandoned = new AbortController();
  const stop = async () => {
    abandoned.abort();
    // Sentinels first, so that none of them reacts to the servers going away.
    await Promise.all(sentinels.map((sentinel) => sentinel.stop()));
    await Promise.all(servers.map((server) => server.stop()));
    await rm(dir, { recursive: true, force: true });
  };
  const step = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      await stop();
      const detail = error instanceof Error ? error.message : String(error);
      throw new Error(`startRedisSentinel("${name}"): ${what} failed: ${detail}`, { cause: error });
    }
  };

  const { password, sentinelPassword } = options;
  const serverArgs =
    password === undefined
      ? REPLICATION_ARGS
      : [...REPLICATION_ARGS, '--requirepass', password, '--masterauth', password];
  const master = await step('starting the master', () => startRedis({ args: serverArgs }));
  servers.push(master);
  const replica = await step('starting the replica', () =>
    startRedis({ args: [...serverArgs, '--replicaof', master.host, String(master.port)] }),
  );
  servers.push(replica);
  const sentinelAuth = { password, sentinelPassword };
  await step(`waiting for the replica ${address(replica)} to sync with the master ${address(master)}`, () =>
    pollUntil(
      () => cli({ port: replica.port, password }, 'INFO', 'replication'),
      (info) => info.includes('master_link_status:up'),
      abandoned.signal,
    ),
  );
  const asSentinel = (sentinel: SentinelServer) => ({ port: sentinel.port, password: sentinelPassword });
  const quorum = Math.floor(count / 2) + 1;
  for (let index = 0; index < count; index += 1) {
    sentinels.push(
      await step(`starting sentinel ${index + 1} of ${count}`, () =>
        startSentinel(dir, name, master, quorum, sentinelAuth),
      ),
    );
  }
  await Promise.all(
    sentinels.map((sentinel) =>
      step(
        `waiting for the sentinel ${address(sentinel)} to know the master ${address(master)}, the replica ${address(replica)} and ${count - 1} other sentinel(s)`,
        () =>
          pollUntil(
            async () => ({
              master: (await cliJson(asSentinel(sentinel), 'SENTINEL', 'MASTER', name)) as Fields,
              replicas: (await cliJson(asSentinel(sentinel), 'SENTINEL', 'REPLICAS', name)) as Fields[],
            }),
            (seen) =>
              seen.master.flags === 'master' &&
              seen.master.port === String(master.port) &&
              seen.master['num-other-sentinels'] === String(count - 1) &&
              seen.replicas.some(
                (known) =>
                  known.port === String(replica.port) &&
                  known.flags === 'slave' &&
                  known['master-link-status'] === 'ok',
              ),
            abandoned.signal,
          ),
      ),
    ),
  );

  return {
    name,
    master,
    replica,
    sentinels,
    sentinelNodes: sentinels.map((sentinel) => ({ host: sentinel.host, port: sentinel.port })),
    async masterAddress() {
      const failures: string[] = [];
      for (const sentinel of sentinels) {
        try {
          const [host, port] = (await cliJson(
            asSentinel(sentinel),
            'SENTINEL',
            'GET-MASTER-ADDR-BY-NAME',
            name,
          )) as [string, string];
          return { host, port: Number(port) };
        } catch (error) {
          failures.push(`${address(sentinel)}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      throw new Error(`no sentinel of "${name}" said where its master is:\n${failures.join('\n')}`);
    },
    stop,
  };
}

/** A reply of `SENTINEL MASTER` or of one entry of `SENTINEL REPLICAS`: field → value. */
type Fields = Readonly<Record<string, string>>;

/** Writes a sentinel's config (the sentinel rewrites it as it learns) and starts it on a free port. */
async function startSentinel(
  dir: string,
  name: string,
  master: RedisServer,
  quorum: number,
  { password, sentinelPassword }: Pick<StartRedisSentinelOptions, 'password' | 'sentinelPassword'>,
): Promise<SentinelServer> {
  const port = await freePort();
  const configPath = join(dir, `sentinel-${port}.conf`);
  await writeFile(
    configPath,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      'sentinel resolve-hostnames no',
      `sentinel monitor ${name} ${master.host} ${master.port} ${quorum}`,
      `sentinel down-after-milliseconds ${name} ${DOWN_AFTER_MS}`,
      `sentinel failover-timeout ${name} ${FAILOVER_TIMEOUT_MS}`,
      ...(password === undefined ? [] : [`sentinel auth-pass ${name} ${password}`]),
      ...(sentinelPassword === undefined ? [] : [`requirepass ${sentinelPassword}`]),
      '',
    ].join('\n'),
  );
  const child = startProcess('redis-server', [configPath, '--sentinel']);
  try {
    await child.waitForLine((line) => line.text.includes(`+monitor master ${name} `), STEP_WITHIN_MS);
  } catch (error) {
    await child.stop(1_000); // a sentinel that never came up must not outlive the test
    throw error;
  }
  return {
    host: '127.0.0.1',
    port,
    process: child,
    async stop() {
      await child.stop();
    },
    async kill() {
      child.signal('SIGKILL');
      await child.exited;
    },
  };
}

function address(node: { readonly host: string; readonly port: number }): string {
  return `${node.host}:${node.port}`;
}

/** A loopback server `redis-cli` talks to, with the password it asks for. */
interface CliTarget {
  readonly port: number;
  readonly password?: string | undefined;
}

/** Runs one command with `redis-cli` against a loopback port; resolves with what it printed. */
async function cli({ port, password }: CliTarget, ...command: string[]): Promise<string> {
  // REDISCLI_AUTH, not -a: the password stays off the command line.
  const env = password === undefined ? process.env : { ...process.env, REDISCLI_AUTH: password };
  return (await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...command], { env })).stdout;
}

/** Runs one command with `redis-cli --json` (a reply as JSON) against a loopback port and parses it. */
async function cliJson(target: CliTarget, ...command: string[]): Promise<unknown> {
  const printed = await cli(target, '--json', ...command);
  try {
    return JSON.parse(printed) as unknown;
  } catch {
    // Error replies are printed as text, not JSON.
    throw new Error(`127.0.0.1:${target.port} answered ${command.join(' ')} with: ${printed.trim()}`);
  }
}

/**
 * Asks until the answer is ready; otherwise fails after `STEP_WITHIN_MS` with the last answer or error,
 * or as soon as `signal` fires.
 */
async function pollUntil<T>(
  ask: () => Promise<T>,
  isReady: (answer: T) => boolean,
  signal: AbortSignal,
): Promise<void> {
  const giveUpAt = Date.now() + scaledMs(STEP_WITHIN_MS);
  let last = 'no answer yet';
  for (;;) {
    try {
      const answer = await ask();
      if (isReady(answer)) return;
      last = JSON.stringify(answer);
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (signal.aborted) {
      throw new Error(`abandoned because another part did not come up; last answer: ${last}`);
    }
    if (Date.now() > giveUpAt) throw new Error(`not within ${STEP_WITHIN_MS}ms; last answer: ${last}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
