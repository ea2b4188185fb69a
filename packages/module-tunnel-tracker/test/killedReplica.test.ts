import { fileURLToPath } from 'node:url';
import { eventually, type RunningProcess, startProcess } from '@kas/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { startRedisHarness } from './support/replicaHarness.js';

const fixture = fileURLToPath(new URL('./fixtures/replicaProcess.mjs', import.meta.url));

describe('a replica process killed with SIGKILL', () => {
  let harness: Awaited<ReturnType<typeof startRedisHarness>> | undefined;
  let child: RunningProcess | undefined;
  afterEach(async () => {
    await child?.stop();
    await harness?.close();
  });

  it('is listed until its entries expire, then no more; the other replicas keep theirs', async () => {
    harness = await startRedisHarness();
    const b = await harness.startReplica('replica-b', { agents: ['agent-shared'] });
    child = startProcess(process.execPath, [fixture], {
      env: {
        REDIS_URL: harness.server.url,
        KEY_PREFIX: 'test:tunnels',
        REPLICA_ID: 'replica-killed',
        AGENTS: 'agent-1,agent-shared',
        ENTRY_TTL_MS: '1500',
        REFRESH_PERIOD_MS: '500',
      },
    });
    await child.waitForLog({ msg: 'advertising this replica in the tunnel directory' });
    expect((await b.directory.findReplicas('agent-1')).map((replica) => replica.id)).toEqual([
      'replica-killed',
    ]);

    child.signal('SIGKILL');
    expect(await child.exited).toMatchObject({ signal: 'SIGKILL' });

    await eventually(async () => expect(await b.directory.findReplicas('agent-1')).toEqual([]));
    await eventually(async () => expect(await b.directory.findReplicas('agent-shared')).toEqual([]));
    // replica-b's own entry for the shared agent is untouched, and the dead one was cleaned up around it.
    await eventually(async () =>
      expect((await harness?.storedEntries('agent-shared'))?.map((entry) => entry.replicaId)).toEqual([
        'replica-b',
      ]),
    );
  });
});
