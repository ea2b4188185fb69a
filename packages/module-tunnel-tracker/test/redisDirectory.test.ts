import { describe } from 'vitest';
import { describeDirectoryBehaviour } from './support/directoryBehaviour.js';
import { startRedisHarness } from './support/replicaHarness.js';

describe('the Redis tunnel directory', () => {
  describeDirectoryBehaviour(startRedisHarness);
});
