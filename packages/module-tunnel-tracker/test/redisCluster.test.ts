import type { LifecycleEvent } from '@kas/core';
import { type RedisCluster, startRedisCluster } from '@kas/testkit';
import calculateSlot from 'cluster-key-slot';
import { Cluster } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisToken, type ReplicaInfo, redisConnectionModule, tunnelTrackerModule } from '../src/index.js';
import { agentKey } from '../src/redis/tunnelKeys.js';
import { type CommandMonitor, clientAddress, monitorCommands } from './support/monitorCommands.js';
import { composeReplica, type TestReplica } from './support/replicaHarness.js';

const KEY_PREFIX = 'test:tunnels';
const quiet = { entryTtl: 90_000, refreshPeriod: 30_000, cleanUpPeriod: 60_000 };
const sorted = (replicas: readonly ReplicaInfo[]) => replicas.map((replica) => replica.id).sort();
const marks = (trace: readonly LifecycleEvent[], name: string) =>
  trace.flatMap((event) => (event.type === 'module.mark' && event.name === name ? [event.data] : []));

describe('the tunnel directory on a three-node Redis Cluster', () => {
  let cluster: RedisCluster | undefined;
  let observer: Cluster | undefined;
  const replicas: TestReplica[] = [];
  const monitors: CommandMonitor[] = [];
  afterEach(async () => {
    for (const monitor of monitors.splice(0)) monitor.close();
    await Promise.all(replicas.splice(0).map((replica) => replica.stop()));
    observer?.disconnect();
    await cluster?.stop();
  });

  const startReplica = async (id: string, agents: readonly string[]) => {
    const replica = await composeReplica(
      id,
      [
        redisConnectionModule({ cluster: cluster?.startupNodes ?? [] }),
        tunnelTrackerModule({ store: 'redis', keyPrefix: KEY_PREFIX, ...quiet }),
      ],
      { agents },
    );
    replicas.push(replica);
    return replica;
  };

  it("finds replicas across shards, and a replica's withdraw is one round trip per shard", async () => {
    cluster = await startRedisCluster();
    observer = new Cluster([...cluster.startupNodes]);
    const agents = Array.from({ length: 60 }, (_, index) => `agent-${index}`);
    const a = await startReplica('replica-a', agents);
    const b = await startReplica('replica-b', ['agent-0', 'agent-b']);

    // The agents really are spread over all three masters.
    const masterOf = (agentId: string) =>
      observer?.slots[calculateSlot(agentKey(KEY_PREFIX, agentId))]?.[0] ?? 'none';
    await observer.ping();
    expect(new Set(agents.map(masterOf)).size).toBe(3);
    expect(sorted(await b.directory.findReplicas('agent-59'))).toEqual(['replica-a']);
    expect(sorted(await a.directory.findReplicas('agent-0'))).toEqual(['replica-b']);

    // A's connection to each master, as that master's MONITOR names it.
    const clientOfA = a.testApp.app.get(RedisToken) as Cluster;
    const shards = await Promise.all(
      clientOfA.nodes('master').map(async (node) => ({
        addressOfA: await clientAddress(node),
        monitor: await monitorCommands(String(node.options.host), Number(node.options.port)),
      })),
    );
    monitors.push(...shards.map((shard) => shard.monitor));

    await a.stop();
    replicas.splice(replicas.indexOf(a), 1);

    for (const { addressOfA, monitor } of shards) {
      await monitor.settle();
      const fromA = monitor.commands.filter((command) => command.source === addressOfA).map((c) => c.name);
      // Exactly one script call per shard (the withdraw); besides it only the connection's QUIT and
      // ioredis's own slot-table refreshes may appear.
      expect(fromA.filter((name) => name === 'eval' || name === 'evalsha')).toEqual(['eval']);
      expect(fromA.filter((name) => !['eval', 'quit', 'cluster'].includes(name))).toEqual([]);
    }
    expect(marks(a.testApp.trace, 'tunnels.withdrawn')).toEqual([
      { agents: 60, roundTrips: 3, durationMs: expect.any(Number) },
    ]);
    for (const agent of agents.slice(1)) {
      expect(await observer.hkeys(agentKey(KEY_PREFIX, agent))).toEqual([]);
    }
    expect(await observer.hkeys(agentKey(KEY_PREFIX, 'agent-0'))).toEqual(['replica-b']);
    expect(await observer.hkeys(agentKey(KEY_PREFIX, 'agent-b'))).toEqual(['replica-b']);
  });
});
