/**
 * Headless Chromium (Debian's package, driven by playwright-core) for the console's end-to-end
 * tests: launch with a clear message when something is missing, pages that collect script
 * errors, screenshots kept as test artifacts under test-results/console/, and an axe-core
 * accessibility check of a page.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
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

/**
 * A laptop-sized page (1366×768) unless told otherwise. `bypassCSP` lets a test inject a script
 * (axe-core) that the console's Content-Security-Policy would rightly refuse.
 */
export async function openConsolePage(
  browser: Browser,
  viewport = { width: 1366, height: 768 },
  options: { bypassCSP?: boolean } = {},
): Promise<ConsolePage> {
  const page = await browser.newPage({ viewport, bypassCSP: options.bypassCSP ?? false });
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

/** One axe-core rule a page breaks, with where (CSS selectors) and why. */
export interface AxeViolation {
  id: string;
  impact: 'minor' | 'moderate' | 'serious' | 'critical' | null;
  help: string;
  nodes: string[];
}

const require = createRequire(import.meta.url);
let axeSource: Promise<string> | undefined;

/**
 * Runs axe-core on the page as it is now and answers every violation. The page must come from
 * `openConsolePage(…, { bypassCSP: true })`: axe is injected as an inline script.
 */
export async function checkAccessibility(page: Page): Promise<AxeViolation[]> {
  axeSource ??= readFile(join(dirname(require.resolve('axe-core')), 'axe.min.js'), 'utf8');
  if (!(await page.evaluate(() => 'axe' in globalThis))) {
    await page.addScriptTag({ content: await axeSource });
  }
  return page.evaluate(async () => {
    type AxeResults = {
      violations: Array<{
        id: string;
        impact: AxeViolation['impact'];
        help: string;
        nodes: Array<{ target: unknown[]; failureSummary?: string }>;
      }>;
    };
    // The root tsconfig has no DOM types: axe is whatever the injected script put there.
    const { axe } = globalThis as unknown as { axe: { run(): Promise<AxeResults> } };
    const results = await axe.run();
    return results.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      nodes: violation.nodes.map(
        (node) => `${node.target.join(' ')}: ${(node.failureSummary ?? '').replace(/\s+/g, ' ')}`,
      ),
    }));
  });
}

/** The violations an operator relying on a screen reader or contrast would be blocked by. */
export function seriousViolations(violations: AxeViolation[]): AxeViolation[] {
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
