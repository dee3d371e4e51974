/**
 * The sessions list in headless Chromium over 200 sessions: cursor paging forward and back (with
 * buttons and keys), filters kept in the URL, text search by id prefix and by title words. No worker runs, so every session stays
 * pending and the list holds still while the test reads it.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testAgents } from './support/agents.js';
import {
  launchConsoleBrowser,
  openConsolePage,
  screenshot,
  textOf,
} from './support/console-browser.js';
import { eventually, startStack, type Stack } from './support/stack.js';

const SESSIONS = 200;
const PAGE = 25;

let stack: Stack;
let browser: Browser;
/** Session ids as the API lists them: newest first. */
const newestFirst: string[] = [];
/** Session ids by the number in their title (`paging 007`). */
const byNumber: string[] = [];

async function create(index: number): Promise<string> {
  const agent = index % 2 === 0 ? 'echo' : 'fail';
  const response = await stack.api('/api/sessions', {
    method: 'POST',
    json: {
      title: `paging ${String(index).padStart(3, '0')}`,
      goal: 'stay pending',
      repository: stack.sampleRepository,
      agent,
    },
  });
  expect(response.status).toBe(201);
  const { id } = (await response.json()) as { id: string };
  byNumber[index] = id;
  return id;
}

beforeAll(async () => {
  stack = await startStack({ agents: testAgents, worker: 'none', serveConsole: true });
  // A few at a time: each start is one workflow on the dev server.
  for (let start = 0; start < SESSIONS; start += 8) {
    await Promise.all(
      Array.from({ length: Math.min(8, SESSIONS - start) }, (_, i) => create(start + i)),
    );
  }
  // Visibility is eventually consistent: list once every started session shows up.
  const listed = await eventually(
    async () => {
      const ids: string[] = [];
      let cursor: string | null = null;
      let total: number;
      do {
        const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
        const page = (await (await stack.api(`/api/sessions?limit=100${query}`)).json()) as {
          items: Array<{ id: string }>;
          nextCursor: string | null;
          total: number;
        };
        ids.push(...page.items.map((item) => item.id));
        cursor = page.nextCursor;
        total = page.total;
      } while (cursor);
      // The count too: the gateway shares one count per filter for 2 s, so a count taken while
      // visibility still caught up would be what the console's first page shows.
      return ids.length >= SESSIONS && total >= SESSIONS ? ids : undefined;
    },
    60_000,
    `${SESSIONS} sessions listed`,
  );
  newestFirst.push(...listed);
  browser = await launchConsoleBrowser();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

function rowIds(page: Page): Promise<string[]> {
  return page
    .getByTestId('session-row')
    .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-session-id') ?? ''));
}

/** Waits for the page number and a full table, then reads the rows. */
async function pageRows(page: Page, number: number): Promise<string[]> {
  await expect.poll(() => textOf(page, 'page-number')).toBe(String(number));
  await expect.poll(async () => (await rowIds(page)).length).toBeGreaterThan(0);
  return rowIds(page);
}

describe('sessions list', () => {
  it('pages through 200 sessions, newest first, forward and back', async () => {
    expect(newestFirst).toHaveLength(SESSIONS);
    const { page, errors } = await openConsolePage(browser, { width: 1920, height: 1080 });
    await page.goto(`${stack.baseUrl}/sessions`);
    await expect.poll(() => textOf(page, 'sessions-total')).toBe(String(SESSIONS));
    await screenshot(page, 'sessions');

    const seen: string[] = [];
    for (let number = 1; number <= SESSIONS / PAGE; number += 1) {
      const ids = await pageRows(page, number);
      expect(ids).toHaveLength(PAGE);
      seen.push(...ids);
      if (number < SESSIONS / PAGE) await page.getByTestId('next-page').click();
    }
    expect(seen).toEqual(newestFirst);
    expect(await page.getByTestId('next-page').isDisabled()).toBe(true);

    await page.getByTestId('prev-page').click();
    expect(await pageRows(page, SESSIONS / PAGE - 1)).toEqual(
      newestFirst.slice(SESSIONS - 2 * PAGE, SESSIONS - PAGE),
    );
    // The same with the keyboard: [ and ].
    await page.locator('body').click({ position: { x: 1, y: 1 } });
    await page.keyboard.press('[');
    expect(await pageRows(page, SESSIONS / PAGE - 2)).toEqual(
      newestFirst.slice(SESSIONS - 3 * PAGE, SESSIONS - 2 * PAGE),
    );
    await page.keyboard.press(']');
    await pageRows(page, SESSIONS / PAGE - 1);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('filters by agent and status, keeps the filters in the URL, and searches by id and title', async () => {
    const { page, errors } = await openConsolePage(browser);
    await page.goto(`${stack.baseUrl}/sessions`);
    await expect.poll(() => textOf(page, 'sessions-total')).toBe(String(SESSIONS));

    await page.getByTestId('agent-filter').selectOption('fail');
    await page.waitForURL(/\/sessions\?agent=fail$/);
    await expect.poll(() => textOf(page, 'sessions-total')).toBe(String(SESSIONS / 2));
    const agents = await page
      .getByTestId('session-row')
      .evaluateAll((rows) => rows.map((row) => row.querySelector('td:nth-child(3)')?.textContent));
    expect(new Set(agents)).toEqual(new Set(['fail']));

    await page.getByTestId('status-filter').selectOption('completed');
    await page.waitForURL(/status=completed/);
    await expect.poll(() => textOf(page, 'sessions-total')).toBe('0');
    await expect.poll(() => textOf(page, 'sessions-empty')).toContain('No sessions match');

    // A link to the filtered list shows the same list.
    await page.goto(`${stack.baseUrl}/sessions?status=pending&agent=echo`);
    await expect.poll(() => textOf(page, 'sessions-total')).toBe(String(SESSIONS / 2));
    expect(await page.getByTestId('agent-filter').inputValue()).toBe('echo');
    expect(await page.getByTestId('status-filter').inputValue()).toBe('pending');

    const target = newestFirst[137] ?? '';
    await page.getByTestId('clear-filters').click();
    await page.getByTestId('session-search').fill(target.slice(0, 8));
    await expect.poll(() => rowIds(page)).toEqual([target]);
    expect(page.url()).toContain(`q=${target.slice(0, 8)}`);
    await screenshot(page, 'sessions-search');

    // Words of the title, in any order, typed then left to settle (no Enter): one session.
    await page.getByTestId('session-search').fill('');
    await page.getByTestId('session-search').pressSequentially('137 PAGING');
    await expect.poll(() => rowIds(page)).toEqual([byNumber[137]]);
    await expect.poll(() => textOf(page, 'sessions-total')).toBe('1');
    expect(new URL(page.url()).searchParams.get('q')).toBe('137 PAGING');
    // The search lives in the URL: a reload shows the same list and the same box.
    await page.reload();
    await expect.poll(() => rowIds(page)).toEqual([byNumber[137]]);
    expect(await page.getByTestId('session-search').inputValue()).toBe('137 PAGING');
    // With another filter: an agent the session does not have (odd numbers ran `fail`).
    await page.getByTestId('agent-filter').selectOption('echo');
    await expect.poll(() => textOf(page, 'sessions-total')).toBe('0');
    await screenshot(page, 'sessions-search-title');
    expect(errors).toEqual([]);
    await page.close();
  });
});
