import { createToken } from '@kas/core';
import type { Cluster, Redis } from 'ioredis';

/** An ioredis client: `Redis` for a single server or Sentinel, `Cluster` for Redis Cluster. */
export type RedisClient = Redis | Cluster;

/** The Redis connection, provided by `redis-connection`. */
export const RedisToken = createToken<RedisClient>('redis-connection.client');
