import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';

const CHROMIUM = process.env.KAS_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../../../test-artifacts/lifecycle-view/', import.meta.url));

/** Debian's chromium, headless (as the demo's browser test drives it; .ci/run installs it). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `chromium not found at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium; .ci/run does) or set KAS_CHROMIUM`,
    );
  }
  await mkdir(ARTIFACTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], headless: true });
}

/** A page of its own, and what went wrong in it: uncaught errors and answers of 400 or more. */
export interface OpenedPage {
  readonly page: Page;
  readonly pageErrors: string[];
  readonly failedResponses: string[];
  /** Saves a screenshot of the whole page as `test-artifacts/lifecycle-view/<name>.png`. */
  shot(name: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens `url` in a fresh context of `browser`. With `clock`, the page's timers, `Date` and `performance`
 * are Playwright's fake clock (time flows as usual until a test moves it with `page.clock.runFor`).
 */
export async function openPage(
  browser: Browser,
  url: string,
  { width = 1400, height = 1000, clock = false } = {},
): Promise<OpenedPage> {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  const failedResponses: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('response', (response) => {
    if (response.status() >= 400) failedResponses.push(`${response.status()} ${response.url()}`);
  });
  if (clock) await page.clock.install();
  await page.goto(url);
  return {
    page,
    pageErrors,
    failedResponses,
    async shot(name) {
      const path = `${ARTIFACTS}${name}.png`;
      await page.screenshot({ path, fullPage: true });
      console.log(`screenshot: ${path}`);
    },
    close: () => context.close(),
  };
}
