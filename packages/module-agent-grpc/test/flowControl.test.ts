import { readHttp2Windows } from '@kas/testkit';
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
    expect(await readHttp2Windows(kas.server.address)).toEqual({
      streamBytes: FLOW_CONTROL_WINDOW.streamBytes,
      connectionBytes: FLOW_CONTROL_WINDOW.connectionBytes,
    });
  });
});
