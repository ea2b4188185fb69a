import { startTestApp } from '@kas/core/testing';
import { describe, expect, it } from 'vitest';
import { agentkModule } from '../src/index.js';
import { testLogger } from './support/testLogger.js';

describe('agentk running many agents', () => {
  // Each agent listens for the stop's cut on the module's stop signal: with more than ten agents (the
  // demo runs 17 per process) every stop printed "MaxListenersExceededWarning: Possible EventTarget memory
  // leak detected", a leak warning operators are told to look for, for listeners that were all removed.
  it('stops a dozen agents without a MaxListenersExceededWarning', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const agentk = await startTestApp({
        ...testLogger(),
        modules: [
          agentkModule({
            kasAddresses: ['127.0.0.1:1'], // nothing listens: the agents keep retrying until the stop
            kubeApi: { url: 'http://127.0.0.1:1' },
            agents: Array.from({ length: 12 }, (_, index) => ({
              name: `agent-${index + 1}`,
              token: `token-of-agent-${index + 1}`,
            })),
          }),
        ],
      });
      await agentk.stop();
      await new Promise((resolve) => setImmediate(resolve)); // Node emits warnings on a later tick
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.map((warning) => `${warning.name}: ${warning.message}`)).toEqual([]);
  });
});
