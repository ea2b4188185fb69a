import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const fixture = fileURLToPath(new URL('./fixtures/gcPressure.mjs', import.meta.url));

/**
 * Relays 4 GiB through 64 KiB buffers with V8 at its least heap growth (`--heap-growing-percent=1`, the
 * state a relay drifts into), and returns the log lines and the relay's report.
 */
async function relay(nodeOptions: readonly string[]) {
  return watch(['--expose-gc', '--heap-growing-percent=1', ...nodeOptions], {
    GC_LOAD: 'relay',
    RELAYED_MIB: '4096',
  });
}

async function watch(nodeOptions: readonly string[], env: Record<string, string>) {
  const { stdout } = await run(process.execPath, [...nodeOptions, fixture], {
    env: { ...process.env, ...env },
    timeout: 120_000,
  });
  const lines = stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logs: lines.filter((line) => 'level' in line), report: lines.at(-1) };
}

describe("kas's GC pressure watch", () => {
  it('warns once, with the node option to give, when V8 runs full GCs back to back while bytes are relayed', {
    timeout: 180_000,
  }, async () => {
    const { logs, report } = await relay([]);
    expect(report).toMatchObject({ relayedMiB: 4096 });
    expect(report?.majorGcs).toBeGreaterThanOrEqual(10);
    expect(logs).toEqual([
      expect.objectContaining({
        level: 40,
        module: 'observability',
        event: 'runtime.gcPressure',
        fullGcs: 10,
        windowMs: 10_000,
        nodeOption: null,
        suggestedInitialOldSpaceMb: 96,
        fix: expect.stringContaining('start node with --initial-old-space-size=96 (it runs without it;'),
        msg: expect.stringMatching(
          /^V8 ran 10 full garbage collections in the last 10 s with \d+ MB on the heap/,
        ),
      }),
    ]);
  });

  it("says nothing with the images' node option: V8 runs no full GC while relaying", {
    timeout: 180_000,
  }, async () => {
    const { logs, report } = await relay(['--initial-old-space-size=96']);
    expect(report).toMatchObject({ relayedMiB: 4096, majorGcs: 0 });
    expect(logs).toEqual([]);
  });

  it("says the heap is nearly full, not to give room below V8's limit, when that is why", {
    timeout: 180_000,
  }, async () => {
    const { logs } = await watch(['--max-old-space-size=96'], { GC_LOAD: 'fullHeap' });
    expect(logs).toEqual([
      expect.objectContaining({
        level: 40,
        event: 'runtime.gcPressure',
        fullGcs: 10,
        fix: expect.stringContaining('find what holds the memory'),
        msg: expect.stringMatching(
          / MB on the heap, near V8's maximum of 96 MB: kas is running out of memory$/,
        ),
      }),
    ]);
    expect(logs[0]).not.toHaveProperty('suggestedInitialOldSpaceMb');
  });
});
