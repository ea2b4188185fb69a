import { describe } from 'vitest';
import { describeDirectoryBehaviour } from './support/directoryBehaviour.js';
import { startMemoryHarness } from './support/replicaHarness.js';

describe('the in-memory tunnel directory', () => {
  describeDirectoryBehaviour(startMemoryHarness);
});
