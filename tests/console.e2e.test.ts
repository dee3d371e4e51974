/**
 * The console in headless Chromium against the real stack (gateway, worker, Temporal dev server,
 * Postgres, Redis): start a session and watch its log live in the terminal, search it, read a
 * checkpoint's diff, stop and force stop, retry, lose the WebSocket mid-stream without a gap,
 * read the overview, and use the keyboard. Screenshots land in test-results/console/.
 */
import type { AgentConfig } from '@orchestrator/activities/agents/types';
import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testAgents } from './support/agents.js';
import {
  launchConsoleBrowser,
  openConsolePage,
  screenshot,
  textOf,
} from './support/console-browser.js';
import { eventually, startStack, type Stack } from './support/stack.js';

/** Ticks long enough (about 15 s) for the page to load and the test to cut the socket mid-run. */
const LONG_TICKS = 75;
const longTicker: AgentConfig = {
  name: 'long-ticker',
  kind: 'command',
  description: `prints a line every 200 ms, ${LONG_TICKS} in all`,
  command: ['sh', '-c', `for i in $(seq 1 ${LONG_TICKS}); do echo "tick $i"; sleep 0.2; done`],
};

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack({ agents: [...testAgents, longTicker], serveConsole: true });
  browser = await launchConsoleBrowser();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function createSession(agent: string, title: string): Promise<string> {
  const response = await stack.api('/api/sessions', {
    method: 'POST',
    json: { title, goal: `run ${agent}`, repository: stack.sampleRepository, agent },
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

async function detail(id: string): Promise<{ status: string; runId: string; error: string }> {
  return (await (await stack.api(`/api/sessions/${id}`)).json()) as {
    status: string;
    runId: string;
    error: string;
  };
}

/** The status badge's raw text (CSS shows it in capitals). */
function status(page: Page): Promise<string> {
  return textOf(page, 'session-status');
}

function logText(page: Page): Promise<string> {
  return textOf(page, 'log-lines');
}

describe('console', () => {
  it('starts a session from the form and shows its log live, searchable, until it completes', async () => {
    const { page, errors } = await openConsolePage(browser);
    await page.goto(`${stack.baseUrl}/sessions`);
    await page.getByTestId('new-session-form').waitFor();
    await page.getByTestId('session-title-input').fill('Browser session');
    await page.getByTestId('session-goal-input').fill('print the lines');
    await page.getByTestId('session-repository-input').fill(stack.sampleRepository);
    await page.getByTestId('session-agent-select').selectOption('echo');
    await page.getByTestId('session-submit').click();

    await page.waitForURL(/\/sessions\/[a-z0-9]+$/);
    await expect.poll(() => logText(page), { timeout: 30_000 }).toContain('line 20');
    await expect.poll(() => status(page), { timeout: 30_000 }).toBe('completed');
    const text = await logText(page);
    expect(text.indexOf('line 1\n')).toBeLessThan(text.indexOf('line 20'));
    expect(text).toContain('warning on stderr');
    // The terminal itself drew the lines, not only the plain-text copy.
    await expect
      .poll(() => page.getByTestId('log-terminal').locator('.xterm-rows').textContent())
      .toContain('all done');

    // Search: "line 1" matches line 1 and lines 10–19.
    await page.getByTestId('log-search').fill('line 1');
    await page.getByTestId('log-search').press('Enter');
    await expect
      .poll(async () => Number((await textOf(page, 'log-search-results')).split('/')[1]))
      .toBeGreaterThanOrEqual(11);
    await expect
      .poll(() => page.getByTestId('log-follow').getAttribute('aria-pressed'))
      .toBe('false');

    // The checkpoint timeline, verified, and the diff of the step's commit (echo writes goal.txt).
    await expect.poll(() => page.getByTestId('checkpoint-row').count()).toBe(1);
    // Telemetry: one agent step, succeeded, one duration column.
    const success = page.getByTestId('step-success-rate');
    expect(await success.getAttribute('data-steps')).toBe('1');
    expect(await success.getAttribute('data-succeeded')).toBe('1');
    expect(await page.getByTestId('step-duration-bar').count()).toBe(1);
    await expect
      .poll(() => page.getByTestId('checkpoint-row').getAttribute('data-verified'), {
        timeout: 15_000,
      })
      .toBe('verified');
    await page.getByTestId('checkpoint-toggle').click();
    await expect
      .poll(() => textOf(page, 'checkpoint-diff'), { timeout: 15_000 })
      .toContain('goal.txt');
    expect(await textOf(page, 'checkpoint-diff')).toContain('print the lines');
    expect(await page.getByTestId('temporal-link').getAttribute('href')).toContain(
      '/workflows/session-',
    );
    await screenshot(page, 'session-detail');

    // The new session is in the list.
    await page.goto(`${stack.baseUrl}/sessions`);
    await expect
      .poll(() => textOf(page, 'sessions-table'), { timeout: 15_000 })
      .toContain('Browser session');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('stops a running session, and force stops another after confirming', async () => {
    const { page, errors } = await openConsolePage(browser);
    const id = await createSession('slow', 'to stop');
    await page.goto(`${stack.baseUrl}/sessions/${id}`);
    await expect.poll(() => logText(page), { timeout: 30_000 }).toContain('sleeping');
    await expect.poll(() => status(page)).toBe('running');
    await page.getByTestId('stop-button').click();
    await expect.poll(() => status(page), { timeout: 30_000 }).toBe('cancelled');
    expect(await page.getByTestId('stop-button').isDisabled()).toBe(true);
    expect(await page.getByTestId('retry-button').isDisabled()).toBe(false);

    const forced = await createSession('slow', 'to force stop');
    await page.goto(`${stack.baseUrl}/sessions/${forced}`);
    await expect.poll(() => logText(page), { timeout: 30_000 }).toContain('sleeping');
    await page.getByTestId('force-stop-button').click();
    await page.getByTestId('confirm-dialog').waitFor();
    // Cancel first: nothing happens.
    await page.getByTestId('confirm-cancel').click();
    expect((await detail(forced)).status).toBe('running');
    await page.getByTestId('force-stop-button').click();
    await screenshot(page, 'force-stop-confirm');
    await page.getByTestId('confirm-accept').click();
    await expect.poll(() => status(page), { timeout: 30_000 }).toBe('cancelled');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('retries a failed session as a new run of the same session', async () => {
    const { page, errors } = await openConsolePage(browser);
    const id = await createSession('fail', 'to retry');
    await page.goto(`${stack.baseUrl}/sessions/${id}`);
    await expect.poll(() => status(page), { timeout: 30_000 }).toBe('failed');
    await expect.poll(() => textOf(page, 'session-error')).toMatch(/3/);
    // The agent exited 3: its step failed without a checkpoint, and telemetry counts it.
    const success = page.getByTestId('step-success-rate');
    await expect.poll(() => success.getAttribute('data-unrecorded')).toBe('1');
    expect(await success.getAttribute('data-succeeded')).toBe('0');
    expect(await page.getByTestId('step-duration-bar').count()).toBe(0);
    const before = (await detail(id)).runId;
    await page.getByTestId('retry-button').click();
    await eventually(async () => ((await detail(id)).runId !== before ? true : undefined));
    await expect.poll(() => status(page), { timeout: 30_000 }).toBe('failed');
    expect(page.url()).toContain(`/sessions/${id}`);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('loses and regains the WebSocket mid-stream with no gap and no duplicate in the log', async () => {
    const { page, errors } = await openConsolePage(browser);
    // Every /ws connection goes through the test, which can cut it.
    const sockets: WebSocketRoute[] = [];
    await page.routeWebSocket(/\/ws(\?|$)/, (ws) => {
      ws.connectToServer();
      sockets.push(ws);
    });
    const id = await createSession('long-ticker', 'reconnect');
    await page.goto(`${stack.baseUrl}/sessions/${id}`);
    await expect.poll(() => logText(page), { timeout: 30_000 }).toContain('tick 5\n');
    expect(await textOf(page, 'log-lines')).not.toContain(`tick ${LONG_TICKS}`);
    await sockets.at(-1)?.close({ code: 1012, reason: 'test cuts the connection' });
    await expect
      .poll(() => page.getByTestId('live-indicator').getAttribute('data-state'))
      .not.toBe('open');
    await expect
      .poll(() => page.getByTestId('live-indicator').getAttribute('data-state'), {
        timeout: 15_000,
      })
      .toBe('open');
    await expect.poll(() => status(page), { timeout: 30_000 }).toBe('completed');
    expect(sockets.length).toBeGreaterThanOrEqual(2);

    const ticks = (await logText(page)).split('\n').filter((line) => line.startsWith('tick '));
    expect(ticks).toEqual(Array.from({ length: LONG_TICKS }, (_, i) => `tick ${i + 1}`));
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows the overview: counts, success rate, recent failures with reasons, agents', async () => {
    const { page, errors } = await openConsolePage(browser, { width: 1920, height: 1080 });
    await page.goto(stack.baseUrl);
    // Earlier tests failed at least one session today and completed at least one.
    await expect
      .poll(async () => Number(await textOf(page, 'stat-failed-today-value')), { timeout: 20_000 })
      .toBeGreaterThanOrEqual(1);
    await expect.poll(() => textOf(page, 'stat-success-rate-value')).toMatch(/^\d+(\.\d)?%$/);
    await expect.poll(() => page.getByTestId('failure-row').count()).toBeGreaterThanOrEqual(1);
    await expect.poll(() => textOf(page, 'failure-reason'), { timeout: 20_000 }).toMatch(/3/);
    expect(await textOf(page, 'stat-running-value')).toMatch(/^\d+$/);
    expect(await textOf(page, 'stat-tokens-value')).toMatch(/^≥?\d/);
    await expect.poll(() => page.getByTestId('active-agent').count()).toBeGreaterThanOrEqual(1);

    // A tile opens the matching list.
    await page.getByTestId('stat-failed-today').click();
    await page.waitForURL(/\/sessions\?status=failed$/);
    await expect.poll(() => page.getByTestId('session-row').count()).toBeGreaterThanOrEqual(1);
    const statuses = await page
      .getByTestId('session-row')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-status')));
    expect(new Set(statuses)).toEqual(new Set(['failed']));
    await page.goto(stack.baseUrl);
    await page.getByTestId('overview-updated').waitFor();
    await expect.poll(() => page.getByTestId('active-agent').count()).toBeGreaterThanOrEqual(1);
    await screenshot(page, 'overview');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('lists agents with their facts, then creates, edits and deletes one', async () => {
    const { page, errors } = await openConsolePage(browser, { width: 1920, height: 1080 });
    await page.goto(`${stack.baseUrl}/agents`);
    const row = (name: string) => page.locator(`[data-testid="agent-row"][data-agent="${name}"]`);
    await row('echo').waitFor();
    expect(await row('echo').locator('td').nth(1).textContent()).toContain('command');
    // The in-process worker reports every agent: available, with its slots.
    await expect
      .poll(() => row('echo').getByTestId('agent-availability').getAttribute('data-available'), {
        timeout: 30_000,
      })
      .toBe('true');
    expect(Number(await row('echo').getByTestId('agent-load').getAttribute('data-slots'))).toBe(
      Number(
        ((await (await stack.api('/api/agents/echo')).json()) as { load: { slots: number } }).load
          .slots,
      ),
    );

    // Create: a field error from the gateway shows under the JSON editor, then a valid entry.
    await page.getByTestId('new-agent').click();
    await page.getByTestId('agent-form').waitFor();
    await page.getByTestId('agent-name-input').fill('lint');
    await page.getByTestId('agent-description-input').fill('runs the linter');
    await page.getByTestId('agent-capabilities-input').fill('review, test');
    await page.getByTestId('agent-config-input').fill('{ "command": "npm run lint" }');
    await page.getByTestId('agent-save').click();
    await expect.poll(() => textOf(page, 'agent-error-config')).toContain('command');
    await screenshot(page, 'agent-editor-error');
    await page.getByTestId('agent-config-input').fill('{ "command": ["sh", "-c", "echo lint"] }');
    await page.getByTestId('agent-save').click();
    await page.getByTestId('agent-saved').waitFor();
    await row('lint').waitFor();
    expect(await row('lint').locator('.chip').allTextContents()).toEqual(['review', 'test']);

    // Edit: the name stays, the description changes, the rest of the config is kept.
    await row('lint').getByTestId('agent-edit').click();
    await page.waitForURL(/\/agents\?edit=lint$/);
    expect(await page.getByTestId('agent-name-input').getAttribute('readonly')).not.toBeNull();
    await page.getByTestId('agent-description-input').fill('runs eslint');
    await screenshot(page, 'agents');
    await page.getByTestId('agent-save').click();
    await expect.poll(() => row('lint').locator('.desc').textContent()).toBe('runs eslint');
    const saved = (await (await stack.api('/api/agents/lint')).json()) as {
      config: Record<string, unknown>;
    };
    expect(saved.config).toMatchObject({
      name: 'lint',
      description: 'runs eslint',
      capabilities: ['review', 'test'],
      command: ['sh', '-c', 'echo lint'],
    });

    // Delete, after confirming.
    await row('lint').getByTestId('agent-delete').click();
    await page.getByTestId('confirm-accept').click();
    await expect.poll(() => row('lint').count()).toBe(0);
    expect((await stack.api('/api/agents/lint')).status).toBe(404);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('is usable from the keyboard', async () => {
    const { page, errors } = await openConsolePage(browser);
    await page.goto(stack.baseUrl);
    await page.getByTestId('stat-running').waitFor();
    await page.keyboard.press('g');
    await page.keyboard.press('s');
    await page.waitForURL(/\/sessions$/);
    await page.getByTestId('session-row').first().waitFor();
    await page.keyboard.press('/');
    expect(await page.getByTestId('session-search').evaluate((el) => el.matches(':focus'))).toBe(
      true,
    );
    await page.keyboard.press('Escape');
    await page.locator('body').click({ position: { x: 1, y: 1 } });
    await page.keyboard.press('?');
    await page.getByTestId('shortcut-help').waitFor();
    await page.keyboard.press('Escape');
    await page.keyboard.press('g');
    await page.keyboard.press('a');
    await page.waitForURL(/\/agents$/);
    await page.getByTestId('agents-table').waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });
});
