import { createModuleRef } from '@kas/core';

/** The Redis connection's module name, for other modules' declarations. */
export const REDIS_CONNECTION = createModuleRef('redis-connection');
