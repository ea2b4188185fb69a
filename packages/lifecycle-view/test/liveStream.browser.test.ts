import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { usePageHarness } from './support/pageHarness.js';
import {
  asAnotherRun,
  eventsBetween,
  forcedStop,
  momentOf,
  SECOND_SIGNAL_AT,
  snapshotAt,
} from './support/recordedStop.js';

const STOPPING_AT = momentOf(forcedStop, 'app.stopping');
const CLOCK = /\d\d:\d\d:\d\d/.source;

/** A port nothing listens on: one just listened on and closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('the lifecycle page following a replica', () => {
  const harness = usePageHarness();

  it('freezes every clock when the stream is lost mid-stop, shows the state as unknown, and follows the replica again when it answers', async () => {
    const opened = await harness.open(harness.server.pageUrl, { clock: true });
    const { page } = opened;
    const lostAt = STOPPING_AT + 2_500; // kas SIGKILLed 2.5 s after SIGTERM
    const stream = await harness.server.nextEventsRequest();
    stream.open(snapshotAt(forcedStop, lostAt));
    const panel = page.locator('section.panel');
    await page.locator('section.panel[data-app-state="stopping"]').waitFor();
    stream.breakOff();

    await page.locator('section.panel[data-app-state="unknown"]').waitFor();
    expect(await panel.getAttribute('data-last-known-state')).toBe('stopping');
    const headline = page.locator('[data-headline]');
    const frozen = (await headline.textContent()) as string;
    expect(frozen).toMatch(
      new RegExp(
        `^unknown · no news since ${CLOCK} \\(stream lost\\) · last known: stopping \\(SIGTERM\\) for \\d+\\.\\d s, shutdown deadline 2 m \\d\\d s away$`,
      ),
    );
    expect(await page.locator('[data-status]').getAttribute('data-kind')).toBe('lost');
    expect(await page.locator('[data-status]').textContent()).toMatch(
      new RegExp(`^stream lost at ${CLOCK}; next try at ${CLOCK}$`),
    );
    // Nothing reads as running: what had not finished is unknown, its numbers as they were at the loss.
    expect(
      await page.locator('[data-stage][data-state="running"], [data-module][data-state="stopping"]').count(),
    ).toBe(0);
    const edge = page.locator('[data-stage="agent-grpc-server+tunnel-tracker"]');
    expect(await edge.getAttribute('data-state')).toBe('unknown');
    expect(await edge.getAttribute('data-last-known-state')).toBe('running');
    const budget = (await edge.locator('[data-budget]').textContent()) as string;
    expect(budget).toMatch(/^2 m \d\d s left of 2 m 10 s when the stream was lost$/);
    expect(await page.locator('[data-module="kube-proxy"] .state').textContent()).toMatch(
      /^unknown \(was stopping · 1 m \d\d s left\)$/,
    );
    expect(await page.locator('[data-module="kube-proxy"] [data-progress]').textContent()).toBe(
      'last report: draining · inFlight 2 · watches 1',
    );
    await opened.shot('stream-lost-mid-stop');

    // Time passes with no news: nothing moves. (The page's next try waits for an answer meanwhile.)
    const retry = harness.server.nextEventsRequest();
    await page.clock.runFor(20_000);
    expect(await headline.textContent()).toBe(frozen);
    expect(await edge.locator('[data-budget]').textContent()).toBe(budget);

    // The same run of the replica answers again: followed live, nothing kept as a previous run.
    (await retry).open(snapshotAt(forcedStop, lostAt + 4_000));
    await page.locator('section.panel[data-app-state="stopping"]').waitFor();
    expect(await page.locator('[data-status]').textContent()).toMatch(
      new RegExp(`^live again since ${CLOCK}$`),
    );
    expect(await edge.getAttribute('data-state')).toBe('running');
    expect(await page.locator('[data-previous-run]').isVisible()).toBe(false);
  });

  it('says when a new run of the replica replaces the picture of its stop, and keeps that picture', async () => {
    const opened = await harness.open(harness.server.pageUrl);
    const { page } = opened;
    const first = await harness.server.nextEventsRequest();
    first.open(snapshotAt(forcedStop, SECOND_SIGNAL_AT - 1));
    for (const event of eventsBetween(forcedStop, SECOND_SIGNAL_AT - 1)) first.send(event);
    first.end();
    await page.locator('section.panel[data-app-state="stopped"]').waitFor();

    const nextRun = asAnotherRun(forcedStop, 60_000);
    (await harness.server.nextEventsRequest()).open(snapshotAt(nextRun, STOPPING_AT - 1_000));
    await page.locator('section.panel[data-app-state="running"]').waitFor();
    expect(await page.locator('[data-status]').textContent()).toBe(
      'live: a new run of the replica (the previous run is kept below)',
    );
    const previous = page.locator('[data-previous-run]');
    expect(await previous.isVisible()).toBe(true);
    expect(await previous.locator('summary').textContent()).toMatch(
      /^previous run · stopped · ran 20\.2 s \(5 start stage\(s\)\) · stop \(SIGTERM\) forced by a second stop signal in 14\.2 s · cut: /,
    );
    await previous.locator('summary').click();
    expect(await previous.locator('[data-stage="private-api+kube-proxy"]').getAttribute('data-cut')).toBe(
      'kube-proxy',
    );
    expect(
      await page.locator('[data-plan] [data-stage="private-api+kube-proxy"]').getAttribute('data-state'),
    ).toBe('waiting');
    expect(await page.locator('h2').allTextContents()).toEqual([harness.server.url.slice('http://'.length)]);
  });

  it('after a clean end of the stream waits for the replica to come back, twice as long after each try, up to 30 s', async () => {
    const opened = await harness.open(harness.server.pageUrl, { clock: true });
    const { page } = opened;
    // The page's time stands still from here on and moves only by runFor: on a loaded machine a wait that
    // flowed could run out before its status line is read (seen in CI: the 1 s wait missed).
    await page.clock.pauseAt((await page.evaluate(() => Date.now())) + 60_000);
    const stream = await harness.server.nextEventsRequest();
    harness.server.breakOffStreams(); // the replica is gone once its stream ends
    stream.open(snapshotAt(forcedStop, momentOf(forcedStop, 'app.stopped')));
    stream.end();
    const status = page.locator('[data-status]');
    const waits: number[] = [];
    for (let attempt = 0; attempt < 7; attempt++) {
      await page.locator('[data-status][data-retry-ms]').waitFor();
      const text = (await status.textContent()) as string;
      expect(text).toMatch(
        new RegExp(
          `^the replica stopped; the stream ended. Waiting for the replica to come back \\(next try at ${CLOCK}\\)$`,
        ),
      );
      expect(await status.getAttribute('data-kind')).toBe('ended');
      const waitMs = Number(await status.getAttribute('data-retry-ms'));
      waits.push(waitMs);
      const tries = harness.server.eventsRequestCount;
      await page.clock.runFor(waitMs);
      await expect.poll(() => harness.server.eventsRequestCount).toBeGreaterThan(tries);
      await expect.poll(() => status.textContent()).not.toBe(text);
    }
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
    // Seven tries in 91 s (a GET whose connection breaks off may be sent twice), not one a second.
    expect(harness.server.eventsRequestCount).toBeLessThanOrEqual(1 + 2 * waits.length);
    expect(await page.locator('section.panel').getAttribute('data-app-state')).toBe('stopped');
  });

  it('says that a source answering 404 has the lifecycle view off or a wrong URL', async () => {
    const source = `replica=${harness.server.url}/debug/lifecycle/nothing`;
    const opened = await harness.open(`${harness.server.pageUrl}?source=${encodeURIComponent(source)}`);
    const status = opened.page.locator('[data-status][data-kind="error"]');
    await status.waitFor();
    expect(await status.textContent()).toMatch(
      new RegExp(
        `^${harness.server.url}/debug/lifecycle/nothing answered 404 \\(not found\\): the lifecycle view is off there \\(it needs observability.debug: true\\) or the URL is wrong \\(it said: not found\\); next try at ${CLOCK}$`,
      ),
    );
  });

  it('says that nothing listens where a source points', async () => {
    const port = await closedPort();
    const opened = await harness.open(
      `${harness.server.pageUrl}?source=${encodeURIComponent(`gone=http://127.0.0.1:${port}/debug/lifecycle/events`)}`,
    );
    const status = opened.page.locator('[data-status][data-kind="error"]');
    await status.waitFor();
    expect(await status.textContent()).toMatch(
      new RegExp(
        `^nothing answers at 127.0.0.1:${port}: no server is listening there \\(connection refused\\), or it is unreachable, or it does not let this page read it \\(CORS\\); next try at ${CLOCK}$`,
      ),
    );
  });

  it('keeps a source name that holds "=", and loads without a request that fails', async () => {
    const query = [`kas=a=${harness.server.eventsUrl}`, `b=${harness.server.eventsUrl}?replica=b`]
      .map((source) => `source=${encodeURIComponent(source)}`)
      .join('&');
    const opened = await harness.open(`${harness.server.pageUrl}?${query}`);
    const { page } = opened;
    for (let count = 0; count < 2; count++) {
      (await harness.server.nextEventsRequest()).open(snapshotAt(forcedStop, STOPPING_AT - 1_000));
    }
    await page.locator('section.panel [data-status][data-kind="live"]').nth(1).waitFor();
    expect(await page.locator('h2').allTextContents()).toEqual(['kas=a', 'b']);
    expect(await page.locator('link[rel="icon"]').getAttribute('href')).toMatch(/^data:image\/svg\+xml,/);
    expect(opened.failedResponses).toEqual([]);
  });
});
