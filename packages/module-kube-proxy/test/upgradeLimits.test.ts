import { eventually, kubectl, spawnKubectl } from '@kas/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestCluster } from './support/startCluster.js';
import type { KasReplica } from './support/startKasReplica.js';
import { type PodReplica, startPodReplica } from './support/startPodReplica.js';

describe('limits of upgraded connections', () => {
  let setup: PodReplica;
  let cluster: TestCluster;
  let replica: KasReplica;
  let kubeconfigPath: string;

  beforeEach(async () => {
    setup = await startPodReplica({ maxUpgradesPerUser: 1, upgradeIdleTimeout: '1500ms' });
    ({ cluster, replica, kubeconfigPath } = setup);
  });
  afterEach(async () => {
    await setup.stop();
  });

  it('refuses a second session of a user over maxUpgradesPerUser with 429, and ends an idle one naming the timeout', async () => {
    const session = spawnKubectl(cluster.dir, kubeconfigPath, ['exec', '-i', 'web-0', '--', 'cat'], {
      stdin: 'pipe',
    });
    session.child.stdin?.write('open\n');
    await session.waitForLine((line) => line.text === 'open', 15_000);

    const second = await kubectl(cluster.dir, kubeconfigPath, ['exec', 'web-0', '--', 'echo', 'hi']);
    expect(second.code).not.toBe(0);
    expect(second.stderr).toContain(
      'user "alice" already has 1 exec, attach or port-forward connections open',
    );

    // Nothing is typed any more: the idle timeout ends the session and kubectl says why.
    const exit = await session.exited;
    expect(exit.code).not.toBe(0);
    expect(session.lines.map((line) => line.text).join('\n')).toContain(
      'kas ended the connection: no bytes either way for 1500ms (kubeProxy.upgradeIdleTimeout)',
    );
    await eventually(() => replica.metrics.snapshot().upgrades.byEnding.idle === 1);
    // kubectl asks for WebSocket first, then falls back to SPDY: both refused.
    expect(replica.metrics.snapshot().requestsByStatus['429']).toBe(2);
  });
});
