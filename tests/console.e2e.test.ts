/**
 * The console in headless Chromium (Debian's package, driven by playwright-core) against the
 * real stack: create a session in the form, watch its log lines arrive, see it complete.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testAgents } from './support/agents.js';
import { ROOT, startStack, type Stack } from './support/stack.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}. Install it with: apt-get install -y chromium ` +
        '(or set CHROMIUM_PATH).',
    );
  }
  if (!existsSync(join(ROOT, 'ui/build/index.html'))) {
    throw new Error('The console is not built: run `npm run build` first (npm test does).');
  }
  stack = await startStack({ agents: testAgents, serveConsole: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('console', () => {
  it('creates a session, shows its live log lines and its completion', async () => {
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(stack.baseUrl);

    const form = page.getByTestId('new-session-form');
    await form.waitFor();
    await page.getByTestId('session-title-input').fill('Browser session');
    await page.getByTestId('session-goal-input').fill('print the lines');
    await page.getByTestId('session-repository-input').fill(stack.sampleRepository);
    await page.getByTestId('session-agent-select').selectOption('echo');
    await page.getByTestId('session-submit').click();

    await page.waitForURL(/\/sessions\/[a-z0-9]+$/);
    await expect
      .poll(async () => page.getByTestId('log-lines').textContent(), { timeout: 30_000 })
      .toContain('line 20');
    await expect
      .poll(
        async () => (await page.getByTestId('session-status').textContent())?.trim().toLowerCase(),
        {
          timeout: 30_000,
        },
      )
      .toBe('completed');
    const text = (await page.getByTestId('log-lines').textContent()) ?? '';
    expect(text.indexOf('line 1')).toBeLessThan(text.indexOf('line 20'));
    const link = await page.getByTestId('temporal-link').getAttribute('href');
    expect(link).toContain('/workflows/session-');

    // The new session is in the list.
    await page.goto(stack.baseUrl);
    await expect
      .poll(async () => page.getByTestId('sessions-table').textContent(), { timeout: 15_000 })
      .toContain('Browser session');
    expect(pageErrors).toEqual([]);
  });
});
