import { afterEach, describe, expect, it } from 'vitest';
import { agentKey } from '../src/redis/tunnelKeys.js';
import { describeDirectoryBehaviour } from './support/directoryBehaviour.js';
import { startRedisHarness } from './support/replicaHarness.js';

describe('the Redis tunnel directory', () => {
  describeDirectoryBehaviour(startRedisHarness);

  describe("with the client's own ioredis keyPrefix", () => {
    let harness: Awaited<ReturnType<typeof startRedisHarness>> | undefined;
    afterEach(async () => {
      await harness?.close();
    });

    it('keeps every key, those the scripts build included, under that prefix', async () => {
      harness = await startRedisHarness();
      const connection = { keyPrefix: 'app:' };
      const a = await harness.startReplica('replica-a', { agents: ['agent-1', 'agent-2'], connection });
      const b = await harness.startReplica('replica-b', { agents: ['agent-2'], connection });
      expect((await b.directory.findReplicas('agent-1')).map((replica) => replica.id)).toEqual(['replica-a']);
      expect(await harness.observer.hkeys(`app:${agentKey('test:tunnels', 'agent-1')}`)).toEqual([
        'replica-a',
      ]);
      expect(await harness.observer.keys('test:*')).toEqual([]);

      await a.stop();

      expect(await harness.observer.hkeys(`app:${agentKey('test:tunnels', 'agent-1')}`)).toEqual([]);
      expect(await harness.observer.hkeys(`app:${agentKey('test:tunnels', 'agent-2')}`)).toEqual([
        'replica-b',
      ]);
      expect((await harness.observer.keys('app:*replica:replica-a')).length).toBe(0);
    });
  });
});
