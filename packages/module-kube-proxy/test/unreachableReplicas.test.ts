import { describe, expect, it } from 'vitest';
import { UNREACHABLE_REPLICA_MS, UnreachableReplicas } from '../src/routing/UnreachableReplicas.js';
import { captureLogs } from './support/testLogger.js';

describe('UnreachableReplicas', () => {
  const dead = { id: 'kas-a', privateAddress: '10.0.0.7:8155' };
  const setUp = () => {
    let now = 1_000_000;
    const logs = captureLogs();
    const replicas = new UnreachableReplicas(logs.logger, UNREACHABLE_REPLICA_MS, () => now);
    return { replicas, logs, advance: (ms: number) => (now += ms) };
  };

  it('passes a replica over for 60 s after its last failure, with one warning however often it fails', () => {
    const { replicas, logs, advance } = setUp();
    replicas.failed(dead, 'the connection was not established within 10s');
    advance(30_000);
    replicas.failed(dead, 'the connection was not established within 10s');
    advance(59_999);
    expect(replicas.has(dead)).toBe(true);
    advance(1);
    expect(replicas.has(dead)).toBe(false);
    expect(replicas.size).toBe(0);
    expect(logs.lines.map((line) => line.event)).toEqual(['replica.failing']);
  });

  it('takes a replica back at its first answer, and tells so once', () => {
    const { replicas, logs } = setUp();
    replicas.failed(dead, 'connection refused');
    replicas.answered(dead);
    replicas.answered(dead);
    expect(replicas.has(dead)).toBe(false);
    expect(logs.lines.map((line) => line.event)).toEqual(['replica.failing', 'replica.recovered']);
  });

  it('does not pass over the same replica id at a new address (a replaced pod of a StatefulSet)', () => {
    const { replicas } = setUp();
    replicas.failed(dead, 'connection refused');
    expect(replicas.has({ id: 'kas-a', privateAddress: '10.0.4.2:8155' })).toBe(false);
  });

  it('forgets replicas whose time is over as others fail: the map does not grow with every rollout', () => {
    const { replicas, advance } = setUp();
    for (let i = 0; i < 100; i += 1) {
      replicas.failed({ id: `kas-${i}`, privateAddress: `10.0.0.${i}:8155` }, 'connection refused');
      advance(10_000);
    }
    expect(replicas.size).toBe(5); // those of the last 60 s
  });
});
