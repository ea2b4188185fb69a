import { eventually, spawnKubectl } from '@kas/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestCluster } from './support/startCluster.js';
import type { KasReplica } from './support/startKasReplica.js';
import { type PodReplica, startPodReplica } from './support/startPodReplica.js';

describe('an upgraded connection while kas stops', () => {
  let setup: PodReplica;
  let cluster: TestCluster;
  let replica: KasReplica;
  let kubeconfigPath: string;

  beforeEach(async () => {
    setup = await startPodReplica({ listenGrace: '100ms', drainBudget: '3s' });
    ({ cluster, replica, kubeconfigPath } = setup);
  });
  afterEach(async () => {
    await setup.stop();
  });

  it('keeps an exec session working through the stop until the drain budget, then tells kubectl why it ended', async () => {
    const session = spawnKubectl(cluster.dir, kubeconfigPath, ['exec', '-i', 'web-0', '--', 'cat'], {
      stdin: 'pipe',
    });
    const say = (text: string) => session.child.stdin?.write(`${text}\n`);
    say('before the stop');
    await session.waitForLine((line) => line.text === 'before the stop', 15_000);

    const stopped = replica.kas.stop();
    await eventually(() => replica.proxy.state === 'draining', { timeoutMs: 10_000 });
    // The listener is closed and the agent edge has stopped, yet the session still echoes.
    say('while draining');
    await session.waitForLine((line) => line.text === 'while draining', 15_000);
    expect(replica.metrics.snapshot().upgrades.open).toBe(1);

    expect(await stopped).toMatchObject({ cut: ['kube-proxy'] });
    const exit = await session.exited;
    expect(exit.code).not.toBe(0);
    expect(session.lines.map((line) => line.text).join('\n')).toContain(
      'kas ended the connection: the replica is stopping; its drain budget (kube-proxy drainBudget, 3000ms) ended: reconnect',
    );
    await eventually(() => replica.metrics.snapshot().upgrades.byEnding.cut === 1);
    expect(replica.metrics.snapshot().cutAtDrainEnd).toBe(1);
  });
});
