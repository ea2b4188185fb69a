import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { launchChromium, type OpenedPage, openPage } from './openPage.js';
import { type LifecycleServer, startLifecycleServer } from './startLifecycleServer.js';

/** What a page test works with: the stand-in listener of its own, and the page it opens. */
export interface PageHarness {
  /** The running test's stand-in kas listener. */
  readonly server: LifecycleServer;
  /** The page the running test opened last, if any. */
  readonly opened: OpenedPage | undefined;
  /** Opens `url` in a page of its own; it is closed after the test, and a page error fails the test. */
  open(url: string, options?: Parameters<typeof openPage>[2]): Promise<OpenedPage>;
}

/**
 * Registers the hooks of a file of page tests (call it inside `describe`): one Chromium for the file, a
 * fresh stand-in listener for each test, and each test's page checked for errors and closed after it.
 */
export function usePageHarness(): PageHarness {
  let browser: Browser | undefined;
  let server: LifecycleServer | undefined;
  let opened: OpenedPage | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => browser?.close());
  beforeEach(async () => {
    server = await startLifecycleServer();
  });
  afterEach(async () => {
    expect(opened?.pageErrors ?? []).toEqual([]);
    await opened?.close();
    opened = undefined;
    await server?.close();
  });
  return {
    get server() {
      if (server === undefined) throw new Error('the stand-in listener runs only during a test');
      return server;
    },
    get opened() {
      return opened;
    },
    async open(url, options) {
      if (browser === undefined) throw new Error('chromium runs only during a test');
      opened = await openPage(browser, url, options);
      return opened;
    },
  };
}
