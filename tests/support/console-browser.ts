/**
 * Headless Chromium (Debian's package, driven by playwright-core) for the console's end-to-end
 * tests: launch with a clear message when something is missing, pages that collect script
 * errors, and screenshots kept as test artifacts under test-results/console/.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT } from './stack.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(ROOT, 'test-results', 'console');

export async function launchConsoleBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}. Install it with: apt-get install -y chromium ` +
        '(or set CHROMIUM_PATH).',
    );
  }
  if (!existsSync(join(ROOT, 'ui/build/index.html'))) {
    throw new Error('The console is not built: run `npm run build` first (npm test does).');
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

export interface ConsolePage {
  page: Page;
  /** Uncaught script errors of the page: a test ends by expecting none. */
  errors: string[];
}

/** A laptop-sized page (1366×768) unless told otherwise. */
export async function openConsolePage(
  browser: Browser,
  viewport = { width: 1366, height: 768 },
): Promise<ConsolePage> {
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return { page, errors };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** The text of an element by test id ('' when it is not there). */
export async function textOf(page: Page, testId: string): Promise<string> {
  const locator = page.getByTestId(testId).first();
  return (await locator.count()) === 0 ? '' : ((await locator.textContent()) ?? '').trim();
}
