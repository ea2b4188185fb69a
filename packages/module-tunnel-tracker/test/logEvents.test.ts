import { eventually } from '@kas/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { startRedisHarness } from './support/replicaHarness.js';

/** pino's level numbers: info is 30. */
const INFO = 30;

describe('the log lines of the tracker and its Redis connection', () => {
  let harness: Awaited<ReturnType<typeof startRedisHarness>> | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('every line at info level or above names its event: a log query can follow a replica from its start through a loss to its stop', async () => {
    harness = await startRedisHarness();
    const replica = await harness.startReplica('replica-a', {
      agents: ['agent-1', 'agent-2'],
      timings: { entryCheckPeriod: 50 },
    });

    // Redis emptied behind the connection's back: the entry check notices and writes everything again.
    await harness.observer.flushall();
    await eventually(() =>
      expect(replica.logs).toContainEqual(
        expect.objectContaining({ event: 'tunnels.written', reason: 'lost', agents: 2 }),
      ),
    );
    await replica.stop();

    const events = replica.logs.filter((line) => Number(line.level) >= INFO);
    expect(events.filter((line) => line.event === undefined).map((line) => line.msg)).toEqual([]);
    expect(events.find((line) => line.event === 'tunnels.advertising')).toMatchObject({
      msg: 'advertising this replica in the tunnel directory',
      replicaId: 'replica-a',
      agents: 2,
      store: harness.server.url,
    });
    expect(events.map((line) => line.event)).toEqual(
      expect.arrayContaining([
        'redis.ready',
        'tunnels.advertising',
        'tunnels.lost',
        'tunnels.written',
        'tunnels.withdrawn',
        'redis.closed',
      ]),
    );
  });
});
