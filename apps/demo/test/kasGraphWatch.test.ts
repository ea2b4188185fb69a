import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type RunningProcess, startProcess } from '@kas/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { programPaths } from '../src/index.js';
import { type DrainingScenario, startDrainingScenario } from './support/startDrainingScenario.js';

const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/kas-graph-watch/', import.meta.url));

/** The views plain mode printed so far: blocks of lines that begin with the headline. */
function views(watch: RunningProcess, source: string): string[] {
  const blocks: string[] = [];
  let current: string[] | undefined;
  for (const { text } of watch.lines) {
    if (text.startsWith(`${source} · `)) current = [];
    if (current === undefined) continue;
    if (text === '') {
      blocks.push(current.join('\n'));
      current = undefined;
    } else current.push(text);
  }
  return blocks;
}

describe('kas-graph watch against a kas replica', () => {
  let scenario: DrainingScenario | undefined;
  let watch: RunningProcess | undefined;
  afterEach(async () => {
    await watch?.stop();
    await scenario?.stop();
  });

  it('prints the stop plan before SIGTERM, with the agent edge completed while the proxy drains, and all completed; then exits 0', async () => {
    scenario = await startDrainingScenario();
    const { replica, observabilityUrl, agentEdge, userTraffic } = scenario;
    const source = new URL(observabilityUrl).host;
    watch = startProcess(process.execPath, [programPaths().kasGraph, 'watch', observabilityUrl]);
    await mkdir(ARTIFACTS, { recursive: true });
    const save = async (name: string, text: string) => {
      await writeFile(`${ARTIFACTS}${name}.txt`, `${text}\n`);
      console.log(`kas-graph watch output: ${ARTIFACTS}${name}.txt`);
    };

    // 1. Before SIGTERM.
    await watch.waitForLine(
      (line) => line.text === `${source} · running · started ${line.text.split('started ')[1]}`,
    );
    await watch.waitForLine((line) => line.text.startsWith('    observability — running'));
    const before = views(watch, source)[0] as string;
    expect(before).toContain(`  · ${agentEdge.id}  waiting, budget 2 m 10 s`);
    expect(before).toContain(`  · ${userTraffic.id}  waiting, budget 2 m 00 s`);
    expect(before).toContain('    kube-proxy — running');
    await save('1-before-sigterm', before);

    // 2. The agent edge completed while the proxy drains the watch, its budget counting down.
    const { exited } = replica.terminate();
    await watch.waitForLine((line) =>
      line.text.includes('kube-proxy progress: draining · inFlight 1 · watches 1'),
    );
    await watch.waitForLine((line) => line.text.includes(`stage.complete stop ${agentEdge.id}`));
    const draining = views(watch, source).findLast((view) => view.includes(`✓ ${agentEdge.id}`)) as string;
    expect(draining).toMatch(
      // Counting down from 2 m 00 s; a busy machine may take many seconds to get here, so only "under".
      new RegExp(`▶ ${userTraffic.id.replace('+', '\\+')}  █+ (1 m [0-5]\\d|2 m 00) s left of 2 m 00 s`),
    );
    expect(draining).toMatch(/ {4}agent-grpc-server — stopped in \d+ ms/);
    expect(draining).toMatch(
      / {4}kube-proxy — stopping, (1 m [0-5]\d|2 m 00) s left {2}(listenGrace|draining) · inFlight 1 · watches 1/,
    );
    await save('2-agent-edge-completed-proxy-draining', draining);

    // 3. The watch ends: the drain completes, every stage completes, and watch exits by itself.
    scenario.watch.abort();
    const watchExit = await watch.exited;
    expect(
      watchExit,
      watch.lines
        .slice(-15)
        .map((line) => line.text)
        .join('\n'),
    ).toEqual({ code: 0, signal: null });
    const after = views(watch, source).at(-1) as string;
    expect(after).toMatch(/ · stopped · stop \(SIGTERM\) clean in /);
    const stageLines = after.split('\n').filter((line) => /^ {2}\S/.test(line));
    expect(stageLines.length).toBeGreaterThanOrEqual(4);
    for (const line of stageLines) expect(line).toMatch(/^ {2}✓ \S+ {2}completed in /);
    await save('3-all-completed', after);
    expect(await exited).toEqual({ code: 0, signal: null });
  }, 120_000);
});
