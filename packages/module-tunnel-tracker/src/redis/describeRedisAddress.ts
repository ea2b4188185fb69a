import { Cluster, type ClusterNode, type RedisOptions } from 'ioredis';
import type { RedisClient } from './RedisClient.js';

/** Where a Redis URL points, without its credentials: `redis://host:port/db`. */
export function describeRedisUrl(url: string): string {
  const parsed = new URL(url);
  const db = parsed.pathname.length > 1 ? parsed.pathname : '';
  return `${parsed.protocol}//${parsed.hostname}:${parsed.port || '6379'}${db}`;
}

/** Where ioredis options point, without credentials: a server, a Sentinel group or a socket. */
export function describeRedisOptions(options: RedisOptions = {}): string {
  if (options.sentinels != null && options.sentinels.length > 0) {
    const sentinels = options.sentinels.map(
      (sentinel) => `${sentinel.host ?? 'localhost'}:${sentinel.port ?? 26379}`,
    );
    return `sentinel "${options.name ?? 'mymaster'}" via ${sentinels.join(',')}`;
  }
  if (options.path != null) return `unix:${options.path}`;
  return `redis://${options.host ?? 'localhost'}:${options.port ?? 6379}${options.db ? `/${options.db}` : ''}`;
}

/** Where a Cluster's startup nodes are, without credentials. */
export function describeClusterNodes(nodes: readonly ClusterNode[]): string {
  const list = nodes.map((node) => {
    if (typeof node === 'number') return `localhost:${node}`;
    if (typeof node === 'string')
      return node.includes('://') ? describeRedisUrl(node).replace(/^.*\/\//, '') : node;
    return `${node.host ?? 'localhost'}:${node.port ?? 6379}`;
  });
  return `cluster ${list.join(',')}`;
}

/** Where a client points, for log lines and errors; a Cluster by the nodes it knows now. */
export function describeRedisClient(client: RedisClient): string {
  if (client instanceof Cluster) {
    const masters = client.nodes('master');
    return masters.length === 0
      ? 'cluster (not connected)'
      : describeClusterNodes(masters.map((node) => `${node.options.host}:${node.options.port}`));
  }
  return describeRedisOptions(client.options);
}
