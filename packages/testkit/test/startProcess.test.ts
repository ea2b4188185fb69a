import { describe, expect, it } from 'vitest';
import { startProcess } from '../src/index.js';

// The SIGTERM handler goes first: the test signals as soon as it has read both lines, and a child
// preempted between printing and registering would die of the default action.
const script = `
  process.on('SIGTERM', () => { console.log(JSON.stringify({ msg: 'bye' })); process.exit(7); });
  console.log(JSON.stringify({ level: 30, msg: 'ready' }));
  console.error('plain text');
  setInterval(() => {}, 1000);
`;

describe('startProcess', () => {
  it('collects JSON log lines and plain lines, and reports how the child exited', async () => {
    const child = startProcess(process.execPath, ['-e', script]);
    await child.waitForLog({ msg: 'ready' });
    await child.waitForLine((line) => line.stream === 'stderr' && line.text === 'plain text');
    expect(await child.stop()).toEqual({ code: 7, signal: null });
    expect(child.logs().map((log) => log.msg)).toEqual(['ready', 'bye']);
  });

  it('says what the child printed when an expected line never comes', async () => {
    const child = startProcess(process.execPath, ['-e', 'console.log("only this")']);
    await expect(child.waitForLog({ msg: 'never' }, 2_000)).rejects.toThrow(
      /exited \(0\) before a matching line[\s\S]*only this/,
    );
  });
});
