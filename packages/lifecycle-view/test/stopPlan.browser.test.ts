import type { LifecycleEvent } from '@kas/core';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { usePageHarness } from './support/pageHarness.js';
import {
  eventsBetween,
  forcedStop,
  SECOND_SIGNAL_AT,
  snapshotAt,
  withStopped,
} from './support/recordedStop.js';

const CUT_COLOUR = 'rgb(179, 92, 0)'; // --cut in style.css

describe('the stop plan of the lifecycle page', () => {
  const harness = usePageHarness();

  /** Opens the page and plays `events` to it from just before the second signal to `app.stopped`. */
  async function showStop(events: readonly LifecycleEvent[], viewport = { width: 1400, height: 1000 }) {
    const opened = await harness.open(harness.server.pageUrl, viewport);
    const stream = await harness.server.nextEventsRequest();
    stream.open(snapshotAt(events, SECOND_SIGNAL_AT - 1));
    for (const event of eventsBetween(events, SECOND_SIGNAL_AT - 1)) stream.send(event);
    stream.end();
    await opened.page.locator('section.panel[data-app-state="stopped"]').waitFor();
    return opened.page;
  }

  it('shows a stop forced by a second signal in the warning colour, saying so, and the stages whose modules were cut as cut', async () => {
    const page = await showStop(forcedStop);
    expect(await page.locator('[data-headline]').textContent()).toBe(
      'stopped · ran 20.2 s (5 start stage(s)) · stop (SIGTERM) forced by a second stop signal in 14.2 s · cut: observability, agent-grpc-server, dev-kube-api, kube-proxy, dev-agent',
    );
    const panel = page.locator('section.panel');
    expect(await panel.getAttribute('data-stop-status')).toBe('forced');
    expect(await panel.getAttribute('data-forced-by')).toBe('signal');
    const colourOf = (selector: string) =>
      page
        .locator(selector)
        .first()
        .evaluate((element) => getComputedStyle(element).color);
    expect(await colourOf('.app-state')).toBe(CUT_COLOUR);
    expect(await colourOf('[data-outcome]')).toBe(CUT_COLOUR);

    const stages = await page.locator('[data-stage]').evaluateAll((elements) =>
      elements.map((stage) => ({
        id: stage.getAttribute('data-stage'),
        state: stage.getAttribute('data-state'),
        cut: stage.getAttribute('data-cut'),
        badge: stage.querySelector('.badge')?.textContent,
        badgeColour: getComputedStyle(stage.querySelector('.badge') as Element).fill,
      })),
    );
    expect(stages).toEqual([
      {
        id: 'agent-grpc-server+tunnel-tracker',
        state: 'completed',
        cut: 'agent-grpc-server',
        badge: 'cut',
        badgeColour: CUT_COLOUR,
      },
      {
        id: 'private-api+kube-proxy',
        state: 'completed',
        cut: 'kube-proxy',
        badge: 'cut',
        badgeColour: CUT_COLOUR,
      },
      { id: 'dev-agent', state: 'completed', cut: 'dev-agent', badge: 'cut', badgeColour: CUT_COLOUR },
      { id: 'dev-kube-api', state: 'completed', cut: 'dev-kube-api', badge: 'cut', badgeColour: CUT_COLOUR },
      {
        id: 'observability',
        state: 'completed',
        cut: 'observability',
        badge: 'cut',
        badgeColour: CUT_COLOUR,
      },
    ]);
    expect(await page.locator('[data-stage="private-api+kube-proxy"] [data-budget]').textContent()).toBe(
      'cut (signal) · ended in 14.1 s (budget 2 m 00 s)',
    );
    await harness.opened?.shot('forced-stop');
  });

  it('says a stop forced by the shutdown deadline was forced by the deadline', async () => {
    const page = await showStop(withStopped(forcedStop, { forcedBy: 'deadline' }));
    expect(await page.locator('[data-headline]').textContent()).toContain(
      'stop (SIGTERM) forced by the shutdown deadline in 14.2 s',
    );
    expect(await page.locator('section.panel').getAttribute('data-forced-by')).toBe('deadline');
    expect(await page.locator('[data-outcome]').textContent()).toBe('forced by the shutdown deadline');
  });

  it("keeps every text of a stage inside the stage's box, a state clear of its module's name", async () => {
    const page = await showStop(forcedStop);
    const outside = await page.locator('[data-stage]').evaluateAll((stages) =>
      stages.flatMap((stage) => {
        const card = (stage.querySelector('rect.card') as Element).getBoundingClientRect();
        const problems = [...stage.querySelectorAll('text')].flatMap((text) => {
          const box = text.getBoundingClientRect();
          const isInside =
            box.left >= card.left &&
            box.right <= card.right &&
            box.top >= card.top &&
            box.bottom <= card.bottom;
          return isInside
            ? []
            : [`${stage.getAttribute('data-stage')}: "${text.textContent}" leaves its box`];
        });
        for (const module of stage.querySelectorAll('[data-module]')) {
          const name = (module.querySelector('.name') as Element).getBoundingClientRect();
          const state = (module.querySelector('.state') as Element).getBoundingClientRect();
          const isOverlapping =
            name.right > state.left &&
            state.right > name.left &&
            name.bottom > state.top &&
            state.bottom > name.top;
          if (isOverlapping)
            problems.push(`${module.getAttribute('data-module')}: its state runs into its name`);
        }
        return problems;
      }),
    );
    expect(outside).toEqual([]);
    // The long record wraps after a separator: the lines together are the whole record.
    expect(await page.locator('[data-module="agent-grpc-server"] [data-progress]').textContent()).toBe(
      'at stop: stopped · connections 0 · busyTunnels 0 · idleEnded 2 · cut 2',
    );
    expect(await page.locator('[data-module="agent-grpc-server"] [data-progress] tspan').count()).toBe(2);
  });

  it('shows that a plan wider than the panel scrolls, on the side where there is more', async () => {
    const page = await showStop(forcedStop);
    const hint = (side: string) => page.locator(`[data-scroll-hint="${side}"]`);
    const holder = page.locator('[data-plan]');
    const isWider = await holder.evaluate((element) => element.scrollWidth > element.clientWidth);
    expect(isWider).toBe(true); // dev mode's plan at 1400 px
    expect(await hint('right').isVisible()).toBe(true);
    expect(await hint('right').textContent()).toBe('more stages: scroll ▶');
    expect(await hint('left').isVisible()).toBe(false);
    await page.locator('[data-plan]').evaluate((holder) => {
      holder.scrollLeft = holder.scrollWidth;
    });
    await hint('left').waitFor();
    expect(await hint('right').isVisible()).toBe(false);

    await page.setViewportSize({ width: 2000, height: 1000 });
    await hint('left').waitFor({ state: 'hidden' });
    expect(await hint('right').isVisible()).toBe(false);
  });

  it('draws no arrow under a stage it does not join, and ends each at its stage', async () => {
    const page = await showStop(forcedStop, { width: 2000, height: 1000 });
    const problems = await arrowProblems(page);
    expect(problems).toEqual([]);
    const follows = snapshotAt(forcedStop, SECOND_SIGNAL_AT)
      .stages.filter((stage) => stage.phase === 'stop')
      .reduce((count, stage) => count + stage.follows.length, 0);
    expect(await page.locator('path.follows').count()).toBe(follows);
  });

  it("shows a stopped module's last record as at its stop, not as live counts", async () => {
    const opened = await harness.open(harness.server.pageUrl);
    const { page } = opened;
    const stream = await harness.server.nextEventsRequest();
    stream.open(snapshotAt(forcedStop, SECOND_SIGNAL_AT - 1));
    const progress = page.locator('[data-module="kube-proxy"] [data-progress]');
    await page.locator('section.panel[data-app-state="stopping"]').waitFor();
    expect(await progress.textContent()).toBe('draining · inFlight 2 · watches 1');
    expect(await page.locator('[data-counts-of="kube-proxy"]').textContent()).toBe(
      'kube-proxy draining · inFlight 2 · watches 1',
    );
    expect(await page.locator('[data-module="private-api"] [data-progress]').textContent()).toBe(
      'at stop: stopped · forwards 0',
    );

    for (const event of eventsBetween(forcedStop, SECOND_SIGNAL_AT - 1)) stream.send(event);
    await page.locator('section.panel[data-app-state="stopped"]').waitFor();
    expect(await progress.textContent()).toBe('at stop: stopped · inFlight 1 · watches 0 · cut 2');
    // The counts: the stopped modules' last records under "at stop:".
    expect(await page.locator('[data-counts] li').allTextContents()).toEqual([
      'at stop:',
      'agent-grpc-server stopped · connections 0 · busyTunnels 0 · idleEnded 2 · cut 2',
      'private-api stopped · forwards 0',
      'tunnel-tracker withdrawn · agents 1 · roundTrips 1 · durationMs 6 ms',
      'kube-proxy stopped · inFlight 1 · watches 0 · cut 2',
    ]);
  });
});

/**
 * Each arrow sampled along its length: a point inside a stage's card (a pixel in from its edge) is an
 * arrow running under it; and its end must be just left of its own stage, level with the card.
 */
async function arrowProblems(page: Page): Promise<string[]> {
  return page
    .locator('svg.plan')
    .first()
    .evaluate((svg) => {
      const cards = [...svg.querySelectorAll('[data-stage]')].map((stage) => {
        const { e: x, f: y } = (stage as SVGGraphicsElement).transform.baseVal.consolidate()?.matrix ?? {
          e: 0,
          f: 0,
        };
        const card = stage.querySelector('rect.card') as SVGRectElement;
        return {
          id: stage.getAttribute('data-stage'),
          x,
          y,
          width: card.width.baseVal.value,
          height: card.height.baseVal.value,
        };
      });
      const problems: string[] = [];
      for (const path of svg.querySelectorAll('path.follows') as NodeListOf<SVGPathElement>) {
        const [from, to] = [path.getAttribute('data-from'), path.getAttribute('data-to')];
        const length = path.getTotalLength();
        for (let step = 0; step <= 200; step++) {
          const point = path.getPointAtLength((length * step) / 200);
          const under = cards.find(
            (card) =>
              point.x > card.x + 1 &&
              point.x < card.x + card.width - 1 &&
              point.y > card.y + 1 &&
              point.y < card.y + card.height - 1,
          );
          if (under !== undefined) {
            problems.push(`${from} -> ${to} runs under ${under.id}`);
            break;
          }
        }
        const end = path.getPointAtLength(length);
        const target = cards.find((card) => card.id === to);
        if (
          target === undefined ||
          end.x < target.x - 8 ||
          end.x > target.x ||
          end.y < target.y ||
          end.y > target.y + target.height
        ) {
          problems.push(`${from} -> ${to} does not end at ${to}`);
        }
      }
      return problems;
    });
}
