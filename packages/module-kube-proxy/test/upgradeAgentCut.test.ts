import { MemoryTunnelTable } from '@kas/module-tunnel-tracker';
import { eventually, spawnKubectl } from '@kas/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startAgent, startCluster, type TestAgent, type TestCluster } from './support/startCluster.js';
import { type KasReplica, startKasReplica } from './support/startKasReplica.js';
import { addRunningPod } from './support/startPodReplica.js';

describe.each([
  ['a local tunnel', 'local'],
  ['a forwarding replica', 'remote'],
] as const)('an exec session whose agent cuts it, over %s', (_title, route) => {
  let cluster: TestCluster;
  let holder: KasReplica;
  let entry: KasReplica;
  let agent: TestAgent | undefined;
  let kubeconfigPath: string;

  beforeEach(async () => {
    cluster = await startCluster();
    const table = new MemoryTunnelTable();
    holder = await startKasReplica({
      replicaId: 'kas-a',
      tls: cluster.certificates.server,
      directory: { table },
    });
    entry =
      route === 'local'
        ? holder
        : await startKasReplica({
            replicaId: 'kas-b',
            tls: cluster.certificates.server,
            directory: { table },
          });
    agent = await startAgent(cluster.upstream, [holder.agentAddress]);
    await eventually(() => holder.registry.hasAgent('agent-1'));
    kubeconfigPath = await addRunningPod(cluster, entry.proxy.url);
  });
  afterEach(async () => {
    await agent?.app.stop();
    if (entry !== holder) await entry?.kas.stop();
    await holder?.kas.stop();
    await cluster?.stop();
  });

  it('tells kubectl that the connection to the agent broke off, not that a replica did', async () => {
    const session = spawnKubectl(cluster.dir, kubeconfigPath, ['exec', '-i', 'web-0', '--', 'cat'], {
      stdin: 'pipe',
    });
    session.child.stdin?.write('before the cut\n');
    await session.waitForLine((line) => line.text === 'before the cut', 15_000);

    // agentk stops with the session open: its drain budget (2 s) ends, and it cuts the session's tunnel.
    await agent?.app.stop();
    agent = undefined;
    const exit = await session.exited;
    expect(exit.code).not.toBe(0);
    const printed = session.lines.map((line) => line.text).join('\n');
    expect(printed).toContain('kas ended the connection: the connection to the agent broke off: reconnect');
    expect(printed).not.toContain('replica');
  });
});
