import { eventually, kubectl, send, spawnKubectl } from '@kas/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { aliceToken } from './support/identities.js';
import { rawUpgrade } from './support/rawUpgrade.js';
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

    // The session is kept busy until the second one is refused: on a loaded machine kubectl alone can take
    // longer to start than the idle timeout (seen in CI: the first session had ended, the second ran).
    const typing = setInterval(() => session.child.stdin?.write('.\n'), 250);
    const second = await kubectl(cluster.dir, kubeconfigPath, ['exec', 'web-0', '--', 'echo', 'hi']).finally(
      () => clearInterval(typing),
    );
    expect(second.code).not.toBe(0);
    expect(second.stderr).toContain(
      'user "alice" already has 1 exec, attach or port-forward connections open',
    );

    // Nothing is typed any more: the idle timeout ends the session and kubectl says why.
    const exit = await session.exited;
    expect(exit.code).not.toBe(0);
    expect(session.lines.map((line) => line.text).join('\n')).toContain(
      'kas ended the connection: no bytes either way for 1s 500ms (kubeProxy.upgradeIdleTimeout)',
    );
    await eventually(() => replica.metrics.snapshot().upgrades.byEnding.idle === 1);
    // kubectl asks for WebSocket first, then falls back to SPDY: both refused.
    expect(replica.metrics.snapshot().requestsByStatus['429']).toBe(2);
  });
});

describe('the log line of an upgrade kas answers itself', () => {
  let setup: PodReplica;

  beforeEach(async () => {
    setup = await startPodReplica({ maxUpgradesPerAgent: 1, tunnelWait: '300ms' });
  });
  afterEach(async () => {
    await setup.stop();
  });

  /** The lines a refused or unrouted request may be logged with, from `from` on. */
  const refusalLines = (from: number) =>
    setup.replica.logs.lines
      .slice(from)
      .filter((line) =>
        [
          'request.unrouted',
          'request.denied',
          'request.failed',
          'upgrade.limited',
          'upgrade.failed',
        ].includes(line.event as string),
      );
  const upgrade = (token: string, protocol = 'websocket', command?: readonly string[]) =>
    rawUpgrade(setup.replica.proxy.url, setup.cluster.certificates.ca.cert, token, protocol, command);

  it('logs an upgrade refused at its limit, or for an agent not connected, as one request.unrouted line, as a plain request is (it logged upgrade.limited, or nothing)', async () => {
    const open = await upgrade(aliceToken('agent-1'), 'websocket', ['cat']);
    expect(open.status).toBe(101);
    try {
      for (const protocol of ['websocket', 'SPDY/3.1']) {
        const from = setup.replica.logs.lines.length;
        const limited = await upgrade(aliceToken('agent-1'), protocol);
        expect(limited.status).toBe(429);
        expect(JSON.parse(limited.body)).toMatchObject({ reason: 'TooManyRequests', code: 429 });
        expect(refusalLines(from)).toEqual([
          expect.objectContaining({
            event: 'request.unrouted',
            agentId: 'agent-1',
            status: 429,
            code: 'KAS_UPGRADE_LIMIT_REACHED',
            fix: expect.stringContaining('kubeProxy.maxUpgradesPerAgent'),
            upgrade: protocol,
            scope: 'agent',
            limit: 1,
            msg: expect.stringContaining(
              'agent "agent-1" already has 1 exec, attach or port-forward connections open',
            ),
          }),
        ]);
      }
    } finally {
      open.socket?.destroy();
    }

    // agent-2 is connected nowhere: an upgrade and a plain request get the same 503 and the same line.
    let from = setup.replica.logs.lines.length;
    const plain = await send(`${setup.replica.proxy.url}/version`, {
      ca: setup.cluster.certificates.ca.cert,
      token: aliceToken('agent-2'),
    });
    expect(plain.status).toBe(503);
    const [plainLine] = refusalLines(from);
    expect(refusalLines(from)).toHaveLength(1);
    from = setup.replica.logs.lines.length;
    const unrouted = await upgrade(aliceToken('agent-2'));
    expect(unrouted.status).toBe(503);
    expect(JSON.parse(unrouted.body).message).toBe(JSON.parse(plain.body).message);
    const expected = {
      event: 'request.unrouted',
      agentId: 'agent-2',
      status: 503,
      code: 'KAS_AGENT_NOT_CONNECTED',
      fix: expect.stringContaining('check that the agent runs and reaches kas'),
      msg: expect.stringMatching(/^agent "agent-2" is not connected to kas/),
    };
    expect(plainLine).toMatchObject(expected);
    expect(refusalLines(from)).toEqual([expect.objectContaining({ ...expected, upgrade: 'websocket' })]);

    // A refusal with a line of its own (request.denied, the audit trail) gets no second one.
    from = setup.replica.logs.lines.length;
    expect((await upgrade('user:agent-1:not-a-known-secret')).status).toBe(401);
    expect(refusalLines(from)).toEqual([expect.objectContaining({ event: 'request.denied', status: 401 })]);
  });
});
