import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './freePort.js';
import { type RunningProcess, startProcess } from './startProcess.js';

/** A real `redis-server` on a loopback port, started for a test. */
export interface RedisServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** The current server process (a new one after `restart`). */
  readonly process: RunningProcess;
  /** Shuts it down gracefully; resolves when it has exited. */
  stop(): Promise<void>;
  /** Kills it with SIGKILL, as an outage would; resolves when it has exited. */
  kill(): Promise<void>;
  /** Starts a fresh, empty server on the same port (after `kill` or `stop`). */
  restart(): Promise<void>;
}

/** Options of `startRedis`. */
export interface StartRedisOptions {
  /** Default: a free port. */
  readonly port?: number;
  /** Extra `redis-server` arguments, e.g. `['--cluster-enabled', 'yes']`. */
  readonly args?: readonly string[];
}

/**
 * Starts `redis-server` on 127.0.0.1 with no persistence and resolves when it accepts connections. Needs
 * `redis-server` on PATH (`.ci/run` installs it). The caller stops it.
 */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisServer> {
  const port = options.port ?? (await freePort());
  const dir = await mkdtemp(join(tmpdir(), 'kas-redis-'));
  const launch = async () => {
    const child = startProcess('redis-server', [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      ...(options.args ?? []),
    ]);
    try {
      await child.waitForLine((line) => line.text.includes('Ready to accept connections'), 15_000);
    } catch (error) {
      await child.stop(1_000); // a server that never became ready must not outlive the test
      throw error;
    }
    return child;
  };
  let current = await launch();
  const end = async (signal: NodeJS.Signals) => {
    current.signal(signal);
    await current.exited;
  };
  return {
    host: '127.0.0.1',
    port,
    url: `redis://127.0.0.1:${port}`,
    get process() {
      return current;
    },
    async stop() {
      await end('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
    kill: () => end('SIGKILL'),
    async restart() {
      current = await launch();
    },
  };
}
