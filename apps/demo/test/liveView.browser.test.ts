import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { LifecycleSnapshot } from '@kas/core/snapshot';
import { scaledMs } from '@kas/testkit';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LiveViewServer } from '../src/index.js';
import {
  type DrainingScenario,
  PROXY_DRAIN_BUDGET_MS,
  startDrainingScenario,
} from './support/startDrainingScenario.js';

const CHROMIUM = process.env.KAS_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/live-view/', import.meta.url));

async function stageState(page: Page, stage: string): Promise<string | null> {
  return page.locator(`[data-stage="${stage}"]`).getAttribute('data-state');
}

describe('the live lifecycle page in headless Chromium', () => {
  let browser: Browser | undefined;
  let scenario: DrainingScenario | undefined;
  let web: LiveViewServer | undefined;
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `chromium not found at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium; .ci/run does) or set KAS_CHROMIUM`,
      );
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], headless: true });
    await mkdir(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => browser?.close());
  afterEach(async () => {
    await web?.close();
    await scenario?.stop();
  });

  it('shows the agent edge completed while the proxy still drains with its budget counting down, then every stage completed', async () => {
    scenario = await startDrainingScenario();
    const { replica, observabilityUrl, agentEdge, userTraffic } = scenario;
    const page = await (browser as Browser).newPage({ viewport: { width: 1500, height: 620 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${observabilityUrl}/debug/lifecycle/ui/`);
    const shot = async (name: string) => {
      const path = `${ARTIFACTS}${name}.png`;
      await page.screenshot({ path, fullPage: true });
      console.log(`screenshot: ${path}`);
    };

    // 1. Before SIGTERM: running, every stop stage waiting with its full budget.
    await page.locator('[data-status][data-kind="live"]').waitFor();
    await page.locator('section.panel[data-app-state="running"]').waitFor();
    expect(await stageState(page, agentEdge.id)).toBe('waiting');
    expect(await stageState(page, userTraffic.id)).toBe('waiting');
    expect(await page.locator(`[data-stage="${userTraffic.id}"] [data-budget]`).textContent()).toBe(
      'budget 2 m 00 s',
    );
    await shot('1-before-sigterm');

    // demo --web: the replicas side by side on one page, each panel reading its replica's stream.
    web = await LiveViewServer.start(0);
    web.show(scenario.cluster.replicas);
    const demoPage = await (browser as Browser).newPage({ viewport: { width: 1700, height: 700 } });
    demoPage.on('pageerror', (error) => pageErrors.push(error.message));
    await demoPage.goto(web.url);
    const panels = demoPage.locator('section.panel');
    await demoPage.locator('section.panel [data-status][data-kind="live"]').nth(1).waitFor();
    expect(await panels.locator('h2').allTextContents()).toEqual(['kas-a', 'kas-b']);
    const [left, right] = [await panels.nth(0).boundingBox(), await panels.nth(1).boundingBox()];
    expect(right?.y).toBe(left?.y); // side by side
    expect(right?.x).toBeGreaterThan((left?.x ?? 0) + (left?.width ?? 0) - 1);

    // 2. After SIGTERM: the agent edge completed, the proxy draining the watch with its budget left.
    const signalledAt = performance.now();
    const { exited } = replica.terminate();
    await page.locator(`[data-stage="${agentEdge.id}"][data-state="completed"]`).waitFor();
    await page.locator(`[data-stage="${userTraffic.id}"][data-state="running"]`).waitFor();
    await page.locator('[data-module="kube-proxy"] [data-progress]', { hasText: 'draining' }).waitFor();
    expect(await page.locator('[data-module="kube-proxy"] [data-progress]').textContent()).toBe(
      'draining · inFlight 1 · watches 1',
    );
    expect(await page.locator('[data-module="kube-proxy"]').getAttribute('data-state')).toBe('stopping');
    expect(await page.locator('[data-module="agent-grpc-server"]').getAttribute('data-state')).toBe(
      'stopped',
    );
    const pageRemainingMs = Number(
      await page.locator(`[data-stage="${userTraffic.id}"]`).getAttribute('data-remaining-ms'),
    );
    const readAt = performance.now();
    const served = (await (await fetch(`${observabilityUrl}/debug/lifecycle`)).json()) as LifecycleSnapshot;
    const servedStage = served.stages.find((stage) => stage.id === userTraffic.id);
    const servedRemainingMs = (servedStage?.deadlineAt as number) - served.at;
    // The stage began after the signal, so at most (readAt - signalledAt) of its budget is gone; the page
    // redraws every 100 ms, and it agrees with the replica's own snapshot taken just after.
    expect(pageRemainingMs).toBeLessThanOrEqual(PROXY_DRAIN_BUDGET_MS);
    expect(pageRemainingMs).toBeGreaterThanOrEqual(PROXY_DRAIN_BUDGET_MS - (readAt - signalledAt) - 200);
    expect(Math.abs(pageRemainingMs - servedRemainingMs)).toBeLessThan(1_000);
    expect(await page.locator(`[data-stage="${userTraffic.id}"] [data-budget]`).textContent()).toMatch(
      /^1 m 5\d s left of 2 m 00 s$/,
    );
    await shot('2-agent-edge-completed-proxy-draining');
    const demoB = panels.nth(1);
    await demoB.locator(`[data-stage="${agentEdge.id}"][data-state="completed"]`).waitFor();
    await demoB.locator(`[data-stage="${userTraffic.id}"][data-state="running"]`).waitFor();
    expect(await panels.nth(0).getAttribute('data-app-state')).toBe('running');
    const demoShot = `${ARTIFACTS}demo-web-side-by-side.png`;
    await demoPage.screenshot({ path: demoShot, fullPage: true });
    console.log(`screenshot: ${demoShot}`);

    // 3. The watch ends, the drain completes, and so does every stage.
    scenario.watch.abort();
    await page.locator('section.panel[data-app-state="stopped"]').waitFor({ timeout: scaledMs(20_000) });
    const states = await page
      .locator('[data-stage]')
      .evaluateAll((stages) => stages.map((stage) => stage.getAttribute('data-state')));
    expect(states.length).toBe(served.stages.filter((stage) => stage.phase === 'stop').length);
    expect(states.every((state) => state === 'completed')).toBe(true);
    expect(await page.locator('[data-status]').getAttribute('data-kind')).toBe('ended');
    await shot('3-all-completed');
    expect(await exited).toEqual({ code: 0, signal: null });

    // 4. The same page replays the stop from the replica's trace file, picked in the file picker.
    await page.locator('#trace-file').setInputFiles(replica.traceFile as string);
    await page.locator('[data-status][data-kind="replay"]').waitFor();
    await page.locator('section.panel[data-app-state="stopped"]').waitFor({ timeout: scaledMs(20_000) });
    expect(await page.locator('h2').textContent()).toMatch(/^replay: kas-b\.run-1\.jsonl$/);
    const replayed = await page
      .locator('[data-stage]')
      .evaluateAll((stages) => stages.map((stage) => stage.getAttribute('data-state')));
    expect(replayed).toEqual(states);
    expect(await page.locator('[data-counts-of="kube-proxy"]').textContent()).toBe(
      'kube-proxy stopped · inFlight 0 · watches 0',
    );
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
