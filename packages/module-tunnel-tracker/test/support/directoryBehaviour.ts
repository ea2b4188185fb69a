import { defineModule, type LifecycleEvent } from '@kas/core';
import { eventually } from '@kas/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ReplicaInfo, TunnelDirectoryToken } from '../../src/index.js';
import type { DirectoryHarness, TestReplica } from './replicaHarness.js';

const sorted = (replicas: readonly ReplicaInfo[]) => [...replicas].map((replica) => replica.id).sort();
const marks = (trace: readonly LifecycleEvent[], name: string) =>
  trace.flatMap((event) => (event.type === 'module.mark' && event.name === name ? [event.data] : []));

/**
 * The behaviour every tunnel directory store must show, run against Redis and against memory. Uses
 * short timings (entry TTL 800ms, refresh and clean-up every 250ms, unregister delay 150ms).
 */
export function describeDirectoryBehaviour(startHarness: () => Promise<DirectoryHarness>): void {
  let harness: DirectoryHarness;
  beforeEach(async () => {
    harness = await startHarness();
  });
  afterEach(async () => {
    await harness.close();
  });
  const ids = async (agentId: string) =>
    (await harness.storedEntries(agentId)).map((entry) => entry.replicaId).sort();

  describe('register, query, unregister', () => {
    it('registers an agent on its first tunnel; another replica finds it, and a replica never lists itself', async () => {
      const a = await harness.startReplica('replica-a');
      const b = await harness.startReplica('replica-b');
      a.presence.connect('agent-1');
      await eventually(async () =>
        expect(await b.directory.findReplicas('agent-1')).toEqual([
          { id: 'replica-a', privateAddress: 'replica-a.replicas.test:8155' },
        ]),
      );
      expect(await a.directory.findReplicas('agent-1')).toEqual([]);
      expect(await b.directory.findReplicas('agent-unknown')).toEqual([]);
      // A counts the agent registered when its own write's reply is read, which may come after B's read.
      await eventually(() =>
        expect(a.metrics.snapshot()).toMatchObject({ registeredAgents: 1, connectedAgents: 1 }),
      );
    });

    it('registers the agents connected before the tracker started, by the time it has started', async () => {
      const a = await harness.startReplica('replica-a', { agents: ['agent-1', 'agent-2'] });
      const b = await harness.startReplica('replica-b');
      expect(sorted(await b.directory.findReplicas('agent-1'))).toEqual(['replica-a']);
      expect(sorted(await b.directory.findReplicas('agent-2'))).toEqual(['replica-a']);
      expect(a.metrics.snapshot().registeredAgents).toBe(2);
    });

    it("two replicas see each other's entries, and both when they share an agent", async () => {
      const a = await harness.startReplica('replica-a', { agents: ['agent-a', 'agent-shared'] });
      const b = await harness.startReplica('replica-b', { agents: ['agent-b', 'agent-shared'] });
      const c = await harness.startReplica('replica-c');
      expect(sorted(await a.directory.findReplicas('agent-b'))).toEqual(['replica-b']);
      expect(sorted(await b.directory.findReplicas('agent-a'))).toEqual(['replica-a']);
      expect(sorted(await a.directory.findReplicas('agent-shared'))).toEqual(['replica-b']);
      expect(sorted(await c.directory.findReplicas('agent-shared'))).toEqual(['replica-a', 'replica-b']);
    });

    it('unregisters after the unregister delay; a tunnel back within the delay keeps the entry without a write', async () => {
      const a = await harness.startReplica('replica-a', {
        agents: ['agent-leaving', 'agent-churning'],
        timings: { unregisterDelay: 600 },
      });
      const b = await harness.startReplica('replica-b');
      a.presence.disconnect('agent-leaving');
      a.presence.disconnect('agent-churning');
      a.presence.connect('agent-churning');
      expect(sorted(await b.directory.findReplicas('agent-leaving'))).toEqual(['replica-a']);
      await eventually(async () => expect(await b.directory.findReplicas('agent-leaving')).toEqual([]));
      expect(await ids('agent-leaving')).toEqual([]);
      expect(sorted(await b.directory.findReplicas('agent-churning'))).toEqual(['replica-a']);
      // A counts a write when its reply is read, which may come after B's read.
      await eventually(() =>
        expect(a.metrics.snapshot()).toMatchObject({
          registeredAgents: 1,
          roundTrips: { register: 0, unregister: 1 },
        }),
      );
    });
  });

  describe('expiry, refresh, clean-up', () => {
    it('refreshes entries before they expire', async () => {
      const a = await harness.startReplica('replica-a', { agents: ['agent-1'] });
      const b = await harness.startReplica('replica-b');
      const [first] = await harness.storedEntries('agent-1');
      await eventually(() => expect(Date.now()).toBeGreaterThan((first?.expiresAt ?? 0) + 100));
      expect(sorted(await b.directory.findReplicas('agent-1'))).toEqual(['replica-a']);
      const [later] = await harness.storedEntries('agent-1');
      expect(later?.expiresAt).toBeGreaterThan(first?.expiresAt ?? Number.POSITIVE_INFINITY);
      await eventually(() => expect(a.metrics.snapshot().roundTrips.sync).toBeGreaterThan(1));
    });

    it('a replica killed without stopping: its entries disappear from look-ups after the expiry', async () => {
      const rarely = { cleanUpPeriod: 60_000 }; // no clean-up here: look-ups alone must skip the expired entry
      const a = await harness.startReplica('replica-a', {
        agents: ['agent-1', 'agent-only-a'],
        timings: rarely,
      });
      const b = await harness.startReplica('replica-b', { agents: ['agent-1'], timings: rarely });
      await harness.kill(a);
      // Nothing was withdrawn: the entries are still there until they expire.
      expect(sorted(await b.directory.findReplicas('agent-1'))).toEqual(['replica-a']);
      expect(sorted(await b.directory.findReplicas('agent-only-a'))).toEqual(['replica-a']);
      await eventually(async () => expect(await b.directory.findReplicas('agent-1')).toEqual([]));
      await eventually(async () => expect(await b.directory.findReplicas('agent-only-a')).toEqual([]));
      // Skipped, not removed: replica-b's refreshes keep the record alive, with replica-a's entry in it.
      expect(await ids('agent-1')).toEqual(['replica-a', 'replica-b']);
    });

    it("clean-up removes a dead replica's expired entries, also from records live replicas share", async () => {
      const a = await harness.startReplica('replica-a', { agents: ['agent-shared', 'agent-only-a'] });
      await harness.startReplica('replica-b', { agents: ['agent-shared'] });
      expect(await ids('agent-shared')).toEqual(['replica-a', 'replica-b']);
      await harness.kill(a);
      await eventually(async () => expect(await ids('agent-shared')).toEqual(['replica-b']));
      await eventually(async () => expect(await ids('agent-only-a')).toEqual([]));
    });
  });

  describe('stop', () => {
    it("withdraws all of this replica's entries in one round trip and leaves other replicas' entries alone", async () => {
      const a = await harness.startReplica('replica-a', { agents: ['agent-a', 'agent-shared'] });
      await harness.startReplica('replica-b', { agents: ['agent-b', 'agent-shared'] });
      a.presence.disconnect('agent-a'); // in its unregister delay: still advertised, withdrawn too
      await a.stop();
      expect(await ids('agent-a')).toEqual([]);
      expect(await ids('agent-shared')).toEqual(['replica-b']);
      expect(await ids('agent-b')).toEqual(['replica-b']);
      const [withdrawn] = marks(a.testApp.trace, 'tunnels.withdrawn');
      expect(withdrawn).toMatchObject({ agents: 2, roundTrips: 1 });
      expect(a.metrics.snapshot()).toMatchObject({
        registeredAgents: 0,
        roundTrips: { withdraw: 1 },
        lastWithdraw: { agents: 2, roundTrips: 1 },
      });
    });

    it('refuses new registrations once its stop began', async () => {
      const a = await harness.startReplica('replica-a', { agents: ['agent-1'] });
      await a.stop();
      a.presence.connect('agent-late');
      expect(a.metrics.snapshot().roundTrips.register).toBe(0);
      expect(await ids('agent-late')).toEqual([]);
    });

    it('keeps answering look-ups after its stop, while the modules after it still drain', async () => {
      let seenWhileDraining: readonly ReplicaInfo[] | undefined;
      const drainingProxy = defineModule({
        name: 'draining-proxy',
        // Like the kube proxy: it uses the directory, and its drain outlasts the tracker's stop.
        needs: { directory: TunnelDirectoryToken },
        stop: { after: ['tunnel-tracker'] },
        create: ({ directory }) => ({
          start: async () => {},
          stop: async () => {
            seenWhileDraining = await directory.findReplicas('agent-b');
          },
        }),
      });
      await harness.startReplica('replica-b', { agents: ['agent-b'] });
      const a: TestReplica = await harness.startReplica('replica-a', { modules: [drainingProxy] });
      await a.stop();
      const stopped = a.testApp.trace.flatMap((event) =>
        event.type === 'module.stopped' ? [event.module] : [],
      );
      expect(stopped.indexOf('tunnel-tracker')).toBeLessThan(stopped.indexOf('draining-proxy'));
      expect(seenWhileDraining?.map((replica) => replica.id)).toEqual(['replica-b']);
    });
  });
}
