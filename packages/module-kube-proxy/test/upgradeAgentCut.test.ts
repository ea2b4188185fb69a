import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCatSession, type RoutedPod, startRoutedPod } from './support/startPodReplica.js';

describe.each([
  ['a local tunnel', 'local'],
  ['a forwarding replica', 'remote'],
] as const)('an exec session whose agent cuts it, over %s', (_title, route) => {
  let setup: RoutedPod;

  beforeEach(async () => {
    setup = await startRoutedPod(route);
  });
  afterEach(async () => {
    await setup?.stop();
  });

  it('tells kubectl that the connection to the agent broke off, not that a replica did', async () => {
    const session = await openCatSession(setup);

    // agentk stops with the session open: its drain budget (2 s) ends, and it cuts the session's tunnel.
    await setup.agent.app.stop();
    const exit = await session.exited;
    expect(exit.code).not.toBe(0);
    const printed = session.lines.map((line) => line.text).join('\n');
    expect(printed).toContain('kas ended the connection: the connection to the agent broke off: reconnect');
    expect(printed).not.toContain('replica');
    // The log line of the break carries a stable code, as every failure line does (was: only prose).
    expect(setup.entry.logs.lines.filter((line) => line.event === 'response.broken')).toEqual([
      expect.objectContaining({
        level: 40,
        upgrade: 'websocket',
        code: expect.stringMatching(/^KAS_[A-Z_]+$/),
      }),
    ]);
  });
});
