import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type RedisServer, startRedis } from './startRedis.js';
import { scaledMs } from './timeoutScale.js';

const run = promisify(execFile);

/** A real Redis Cluster of local `redis-server` processes (masters only), started for a test. */
export interface RedisCluster {
  /** The nodes, each a `RedisServer` that can be stopped, killed or restarted on its own. */
  readonly nodes: readonly RedisServer[];
  /** `{ host, port }` of every node: what a cluster client takes as its startup nodes. */
  readonly startupNodes: readonly { readonly host: '127.0.0.1'; readonly port: number }[];
  /** Stops every node that still runs; resolves when all have exited. */
  stop(): Promise<void>;
}

/** Options of `startRedisCluster`. */
export interface StartRedisClusterOptions {
  /** How many masters. Default 3, the smallest cluster `redis-cli --cluster create` builds. */
  readonly masters?: number;
}

/**
 * Starts masters with `--cluster-enabled yes` on free ports, joins them with
 * `redis-cli --cluster create ... --cluster-replicas 0 --cluster-yes` (slots split evenly), and resolves
 * when every node reports `cluster_state:ok`. Needs `redis-server` and `redis-cli` on PATH. The caller
 * stops it.
 */
export async function startRedisCluster(options: StartRedisClusterOptions = {}): Promise<RedisCluster> {
  const count = options.masters ?? 3;
  const nodes: RedisServer[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.stop()));
  };
  try {
    for (let index = 0; index < count; index += 1) {
      nodes.push(
        await startRedis({
          args: [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            'nodes.conf',
            '--cluster-node-timeout',
            '2000',
          ],
        }),
      );
    }
    await run('redis-cli', [
      '--cluster',
      'create',
      ...nodes.map((node) => `${node.host}:${node.port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    await Promise.all(nodes.map((node) => waitForClusterOk(node)));
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    nodes,
    startupNodes: nodes.map((node) => ({ host: node.host, port: node.port })),
    stop,
  };
}

async function waitForClusterOk(node: RedisServer, timeoutMs = 15_000): Promise<void> {
  const giveUpAt = Date.now() + scaledMs(timeoutMs);
  let info = '';
  while (Date.now() < giveUpAt) {
    info = (await run('redis-cli', ['-h', node.host, '-p', String(node.port), 'CLUSTER', 'INFO'])).stdout;
    if (info.includes('cluster_state:ok')) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis cluster node ${node.host}:${node.port} did not reach cluster_state:ok:\n${info}`);
}
