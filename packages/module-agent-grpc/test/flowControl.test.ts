import { once } from 'node:events';
import { connect, type Settings } from 'node:http2';
import { eventually } from '@kas/testkit';
import { FLOW_CONTROL_WINDOW } from '@kas/tunnel-protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { startKas, type TestKas } from './support/startKas.js';

describe('flow control', () => {
  let kas: TestKas;
  afterEach(async () => {
    await kas?.kas.stop();
  });

  it("lets an agent have 1 MiB per tunnel on its way to kas, not HTTP/2's 64 KiB (a port-forward's bytes do not wait for a window update every 64 KiB)", async () => {
    kas = await startKas();
    const session = connect(`http://${kas.server.address}`);
    try {
      const [settings] = (await once(session, 'remoteSettings')) as [Settings];
      expect(settings.initialWindowSize).toBe(FLOW_CONTROL_WINDOW.streamBytes);
      // The connection's own window grows too once kas has sent its first WINDOW_UPDATE.
      await eventually(() => session.state.remoteWindowSize === FLOW_CONTROL_WINDOW.connectionBytes);
    } finally {
      session.destroy();
    }
  });
});
