import type { LifecycleSnapshot } from '@kas/core/snapshot';
import { describe, expect, it } from 'vitest';
import { usePageHarness } from './support/pageHarness.js';
import { forcedStop, snapshotAt } from './support/recordedStop.js';

/** Markup that runs script if the page ever writes it as HTML or SVG instead of as text. */
const INJECTED = '"><img src=x onerror="window.__injected=1">';

describe('the lifecycle page fed a hostile stream', () => {
  const harness = usePageHarness();

  // The page reads any `?source=` URL: whoever serves that stream (or writes a trace file) controls every
  // field of its snapshot, not just the module names. States and outcomes went into class and data
  // attributes and the headline as they came: a link to the page could run script on kas's origin.
  it('writes every field of a snapshot as text: states, outcomes and budgets of a stream run no script', async () => {
    const stopped = snapshotAt(forcedStop, Number.POSITIVE_INFINITY);
    const hostile = {
      ...stopped,
      state: INJECTED,
      stop: { ...stopped.stop, status: INJECTED, forcedBy: INJECTED, reason: INJECTED },
      stages: stopped.stages.map((stage) => ({ ...stage, state: INJECTED, budgetMs: INJECTED })),
      modules: stopped.modules.map((module) => ({ ...module, state: INJECTED })),
    } as unknown as LifecycleSnapshot;
    const opened = await harness.open(harness.server.pageUrl);
    const stream = await harness.server.nextEventsRequest();
    stream.open(hostile);
    await opened.page.locator('[data-headline]').filter({ hasText: 'img' }).waitFor();
    expect(await opened.page.locator('img').count()).toBe(0);
    expect(await opened.page.evaluate(() => (window as { __injected?: number }).__injected)).toBeUndefined();
    expect(await opened.page.locator('[data-headline]').textContent()).toContain(INJECTED);
    stream.end();
  });
});
