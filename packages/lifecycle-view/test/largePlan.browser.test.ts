import type { LifecycleEvent } from '@kas/core';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type LargeStop, recordLargeStop } from './support/largeStop.js';
import { usePageHarness } from './support/pageHarness.js';
import { momentOf, snapshotAt } from './support/recordedStop.js';

/** What the page did since `watchWork`: the elements it put into the plan, and the texts it measured. */
interface PlanWork {
  /** Elements added to the plan, each with everything inside it. */
  readonly createdElements: number;
  /** The stages whose card was put into the plan, a card each time it was. */
  readonly drawnStages: readonly string[];
  /** Texts measured in the browser (`getComputedTextLength`), each a layout of the page. */
  readonly measuredTexts: number;
}

/** Starts counting what the page does to its plan (a MutationObserver) and how often it measures a text. */
async function watchWork(page: Page): Promise<void> {
  await page.evaluate(() => {
    const work = { createdElements: 0, drawnStages: [] as string[], measuredTexts: 0 };
    Object.assign(window, { planWork: work });
    const measure = SVGTextContentElement.prototype.getComputedTextLength;
    SVGTextContentElement.prototype.getComputedTextLength = function (this: SVGTextContentElement) {
      work.measuredTexts += 1;
      return measure.call(this);
    };
    new MutationObserver((records) => {
      for (const record of records) {
        for (const node of record.addedNodes) {
          if (!(node instanceof Element)) continue;
          work.createdElements += 1 + node.querySelectorAll('*').length;
          for (const stage of [node, ...node.querySelectorAll('[data-stage]')]) {
            const id = stage.getAttribute('data-stage');
            if (id !== null) work.drawnStages.push(id);
          }
        }
      }
    }).observe(document.querySelector('[data-plan]') as Element, { childList: true, subtree: true });
  });
}

/** What the page did since `watchWork` or the last `takeWork`, and counts from nothing again. */
function takeWork(page: Page): Promise<PlanWork> {
  return page.evaluate(() => {
    const work = (window as unknown as { planWork: PlanWork & { drawnStages: string[] } }).planWork;
    const taken = { ...work, drawnStages: [...work.drawnStages] };
    Object.assign(work, { createdElements: 0, drawnStages: [], measuredTexts: 0 });
    return taken;
  });
}

/** Moves the page's paused clock a tick (the panel draws every 100 ms) until `isDone` says so. */
async function tickUntil(page: Page, isDone: () => Promise<boolean>): Promise<void> {
  await expect
    .poll(
      async () => {
        await page.clock.runFor(100);
        return isDone();
      },
      { timeout: 15_000 },
    )
    .toBe(true);
}

describe('the lifecycle page with a plan of 2,000 modules', () => {
  const harness = usePageHarness();
  let large: LargeStop;
  beforeAll(async () => {
    large = await recordLargeStop();
  });

  // A live stop of 2,000 modules took seconds to stream, and the stopped page scrolled at a few frames a
  // second: every tick (100 ms) drew the whole plan again, 200 cards, and its thousands of texts overflowed
  // the cache of measured widths, so each was measured again, a layout of the page each.
  it('draws again only the cards of the stages an event changed, and nothing of a stopped plan as the clock ticks and it scrolls', async () => {
    const { events } = large;
    const started = events.findIndex((event) => event.type === 'app.started');
    const running = snapshotAt(events.slice(0, started + 1), momentOf(events, 'app.started'));
    const stopStages = running.stages.filter((stage) => stage.phase === 'stop');
    expect(stopStages.length).toBe(large.stopStageCount);
    const stageOf = new Map(stopStages.flatMap((stage) => stage.members.map((name) => [name, stage.id])));

    const opened = await harness.open(harness.server.pageUrl, { clock: true });
    const { page } = opened;
    await page.clock.pauseAt((await page.evaluate(() => Date.now())) + 60_000); // time moves by runFor only
    const stream = await harness.server.nextEventsRequest();
    stream.open(running);
    const stages = page.locator('[data-plan] [data-stage]');
    await tickUntil(page, async () => (await stages.count()) === large.stopStageCount);
    expect(await page.locator('[data-plan] [data-module]').count()).toBe(large.moduleCount);
    await watchWork(page);

    // The stop until its first stage completed: the cards of the stages begun so far change, no other.
    const after = events.slice(started + 1);
    const firstDone = after.findIndex((event) => event.type === 'stage.complete' && event.phase === 'stop');
    const untilFirstDone = after.slice(0, firstDone + 1);
    const changed = new Set(untilFirstDone.flatMap((event) => stagesChangedBy(event, stageOf)));
    const done = untilFirstDone.at(-1) as Extract<LifecycleEvent, { type: 'stage.complete' }>;
    for (const event of untilFirstDone) stream.send(event);
    const doneCard = page.locator(`[data-plan] [data-stage="${done.stage}"]`);
    await tickUntil(page, async () => (await doneCard.getAttribute('data-state')) === 'completed');
    const whileStopping = await takeWork(page);
    expect(whileStopping.drawnStages).toContain(done.stage);
    expect(whileStopping.drawnStages.filter((id) => !changed.has(id))).toEqual([]);
    expect(changed.size).toBeLessThan(large.stopStageCount / 2);

    // The rest of the stop, to app.stopped: the picture is the one a page opened now draws at once.
    for (const event of after.slice(firstDone + 1)) stream.send(event);
    const panel = page.locator('section.panel');
    await tickUntil(page, async () => (await panel.getAttribute('data-app-state')) === 'stopped');
    await takeWork(page);

    // Stopped: nothing on the plan changes any more, so ticking and scrolling draw and measure nothing.
    for (let scroll = 1; scroll <= 10; scroll++) {
      await page.locator('[data-plan]').evaluate((holder, left) => {
        holder.scrollLeft = left;
      }, scroll * 150);
      await page.clock.runFor(100);
    }
    expect(await takeWork(page)).toEqual({ createdElements: 0, drawnStages: [], measuredTexts: 0 });
    expect(await page.locator('[data-plan]').evaluate((holder) => holder.scrollLeft)).toBe(1_500);

    const drawnStepByStep = await page.locator('[data-plan]').innerHTML();
    expect(opened.pageErrors).toEqual([]);
    stream.end();
    await opened.close();
    const fresh = await harness.open(harness.server.pageUrl);
    (await harness.server.nextEventsRequest()).open(snapshotAt(events, momentOf(events, 'app.stopped')));
    await fresh.page.locator('section.panel[data-app-state="stopped"]').waitFor();
    expect(await fresh.page.locator('[data-plan]').innerHTML()).toBe(drawnStepByStep);
  });
});

/** The stop stages whose card `event` changes: its own stage, or its module's. */
function stagesChangedBy(event: LifecycleEvent, stageOf: ReadonlyMap<string, string>): string[] {
  if ((event.type === 'stage.begin' || event.type === 'stage.complete') && event.phase === 'stop') {
    return [event.stage];
  }
  const stage = 'module' in event ? stageOf.get(event.module) : undefined;
  return stage === undefined ? [] : [stage];
}
