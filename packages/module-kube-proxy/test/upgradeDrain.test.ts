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
      'kas ended the connection: the replica is stopping; its drain budget (kubeProxy.drainBudget, 3s) ended: reconnect',
    );
    await eventually(() => replica.metrics.snapshot().upgrades.byEnding.cut === 1);
    expect(replica.metrics.snapshot().cutAtDrainEnd).toBe(1);
    expect(replica.logs.lines).toContainEqual(
      expect.objectContaining({
        event: 'kubeProxy.drainCut',
        requests: 1,
        reason: 'budget',
        msg: 'cut 1 request(s) still in flight at the drain budget',
      }),
    );
  });

  it('says a second stop signal cut the drain, not the drain budget, to kubectl and in the log', async () => {
    const session = spawnKubectl(cluster.dir, kubeconfigPath, ['exec', '-i', 'web-0', '--', 'cat'], {
      stdin: 'pipe',
    });
    session.child.stdin?.write('before the stop\n');
    await session.waitForLine((line) => line.text === 'before the stop', 15_000);

    const stopped = replica.kas.stop();
    await eventually(() => replica.proxy.state === 'draining', { timeoutMs: 10_000 });
    replica.kas.app.cut('signal'); // well before the 3 s budget
    await stopped;
    await session.exited;
    const output = session.lines.map((line) => line.text).join('\n');
    expect(output).toContain(
      'kas ended the connection: the replica is stopping; a second stop signal cut its drain: reconnect',
    );
    expect(output).not.toContain('drain budget');
    expect(replica.logs.lines).toContainEqual(
      expect.objectContaining({
        event: 'kubeProxy.drainCut',
        requests: 1,
        reason: 'signal',
        msg: 'cut 1 request(s) still in flight when a second stop signal came',
      }),
    );
  });
});
