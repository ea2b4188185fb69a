import type { ReplicaInfo, TunnelDirectory } from '@kas/module-tunnel-tracker';
import { AgentPresence } from '@kas/module-tunnel-tracker/testing';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AgentArrivals } from '../src/routing/AgentArrivals.js';
import { CachedDirectory } from '../src/routing/CachedDirectory.js';

const REPLICA_B: ReplicaInfo = { id: 'kas-b', privateAddress: '10.0.0.2:8155' };

/** A tunnel directory that counts look-ups and answers what the test says. */
class CountingDirectory implements TunnelDirectory {
  readonly lookups: string[] = [];
  answer: readonly ReplicaInfo[] | Error = [];

  async findReplicas(agentId: string): Promise<readonly ReplicaInfo[]> {
    this.lookups.push(agentId);
    if (this.answer instanceof Error) throw this.answer;
    return this.answer;
  }
}

describe('waiting for an agent to reconnect', () => {
  let directory: CountingDirectory;
  let presence: AgentPresence;
  let arrivals: AgentArrivals;
  const anyReplica = (replicas: readonly ReplicaInfo[]) => replicas.length > 0;

  beforeEach(() => {
    vi.useFakeTimers();
    directory = new CountingDirectory();
    presence = new AgentPresence();
    arrivals = new AgentArrivals(presence, new CachedDirectory(directory, 0), 250, pino({ level: 'silent' }));
  });
  afterEach(() => {
    arrivals.dispose();
    vi.useRealTimers();
  });

  it('shares one directory poll among every request waiting for the same agent', async () => {
    const signal = new AbortController().signal;
    const waits = Array.from({ length: 5 }, () =>
      arrivals.waitFor('agent-1', Date.now() + 5_000, signal, anyReplica),
    );
    const other = arrivals.waitFor('agent-2', Date.now() + 5_000, signal, anyReplica);
    await vi.advanceTimersByTimeAsync(250);
    expect(directory.lookups).toEqual(['agent-1', 'agent-2']);
    await vi.advanceTimersByTimeAsync(500);
    expect(directory.lookups.filter((agentId) => agentId === 'agent-1')).toHaveLength(3);

    directory.answer = [REPLICA_B];
    await vi.advanceTimersByTimeAsync(250);
    expect(await Promise.all([...waits, other])).toEqual(Array(6).fill('arrived'));
    const count = directory.lookups.length;
    await vi.advanceTimersByTimeAsync(2_000);
    expect(directory.lookups).toHaveLength(count); // nobody waits: no more polls
  });

  it('merges look-ups that overlap into one', async () => {
    const lookups = new CachedDirectory(directory, 0);
    directory.answer = [REPLICA_B];
    const answers = await Promise.all([lookups.findReplicas('agent-1'), lookups.findReplicas('agent-1')]);
    expect(answers).toEqual([[REPLICA_B], [REPLICA_B]]);
    expect(directory.lookups).toEqual(['agent-1']);
    await lookups.findReplicas('agent-1');
    expect(directory.lookups).toEqual(['agent-1', 'agent-1']);
  });

  it('keeps an answer that names a replica for a while (not one that names none), and forgets it when told', async () => {
    const lookups = new CachedDirectory(directory, 250);
    await lookups.findReplicas('agent-1');
    await lookups.findReplicas('agent-1');
    expect(directory.lookups).toHaveLength(2); // no replica: asked each time

    directory.answer = [REPLICA_B];
    expect(await lookups.findReplicas('agent-1')).toEqual([REPLICA_B]);
    expect(await lookups.findReplicas('agent-1')).toEqual([REPLICA_B]);
    expect(directory.lookups).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(250);
    await lookups.findReplicas('agent-1');
    expect(directory.lookups).toHaveLength(4); // kept 250 ms, then asked again

    lookups.forget('agent-1'); // a route to B failed
    await lookups.findReplicas('agent-1');
    await lookups.refresh('agent-1'); // a waiting request's poll always asks
    expect(directory.lookups).toHaveLength(6);
  });

  it('ends the wait at once when the agent connects to this replica', async () => {
    const wait = arrivals.waitFor('agent-1', Date.now() + 5_000, new AbortController().signal, anyReplica);
    presence.connect('agent-1');
    expect(await wait).toBe('arrived');
    expect(directory.lookups).toEqual([]);
  });

  it('answers a timeout at the deadline, and ignores replicas the request already found without the agent', async () => {
    directory.answer = [REPLICA_B];
    const wait = arrivals.waitFor('agent-1', Date.now() + 1_000, new AbortController().signal, (replicas) =>
      replicas.some((replica) => replica.id !== REPLICA_B.id),
    );
    await vi.advanceTimersByTimeAsync(999);
    expect(directory.lookups.length).toBeGreaterThan(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(await wait).toBe('timeout');
  });

  it('keeps polling through a directory outage', async () => {
    directory.answer = Object.assign(new Error('Redis is down'), {
      code: 'KAS_TUNNEL_DIRECTORY_UNAVAILABLE',
    });
    const wait = arrivals.waitFor('agent-1', Date.now() + 5_000, new AbortController().signal, anyReplica);
    await vi.advanceTimersByTimeAsync(500);
    directory.answer = [REPLICA_B];
    await vi.advanceTimersByTimeAsync(250);
    expect(await wait).toBe('arrived');
    expect(directory.lookups).toHaveLength(3);
  });

  it('gives up a wait whose request was abandoned, and stops polling for it', async () => {
    const abort = new AbortController();
    const wait = arrivals.waitFor('agent-1', Date.now() + 5_000, abort.signal, anyReplica);
    abort.abort(new Error('the client went away'));
    await expect(wait).rejects.toThrow('the client went away');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(directory.lookups).toEqual([]);
  });
});
