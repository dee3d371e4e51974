/**
 * Task trees, approvals, budgets and time travel in the console, in headless Chromium against
 * the real stack, with scripted agents (a planner that writes the plan its goal carries, a writer
 * that appends a line to a file): start a planned session from the form with an approval gate,
 * approve it, read its tree and verified checkpoints, retry from a checkpoint, fork from one and
 * reject the fork, raise a budget, pause and resume, browse every tree on the Tasks page, and
 * check every page with axe-core. Screenshots land in test-results/console/.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testAgents, treeAgents } from './support/agents.js';
import {
  checkAccessibility,
  launchConsoleBrowser,
  openConsolePage,
  screenshot,
  seriousViolations,
  textOf,
} from './support/console-browser.js';
import { eventually, startStack, type Stack } from './support/stack.js';

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack({ agents: [...testAgents, ...treeAgents], serveConsole: true });
  browser = await launchConsoleBrowser();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

interface Detail {
  id: string;
  status: string;
  runId: string;
  pending: Array<{ gate: string }>;
  decisions: Array<{ decision: string; by: string; comment: string }>;
  checkpoints: Array<{ seq: number; taskPath: string; role: string; commitSha: string | null }>;
  forkedFrom: { sessionId: string; checkpoint: number } | null;
  plan: Record<string, unknown> | null;
  paused: boolean;
  steps: { running: number; waiting: number };
}

const detailOf = async (id: string) =>
  (await (await stack.api(`/api/sessions/${id}`)).json()) as Detail;

interface PlanTask {
  id: string;
  title: string;
  goal: string;
  capabilities: string[];
  agent?: string;
  dependsOn: string[];
  decompose: boolean;
}

/** A task for the writer: append `text` to `file` in its worktree. */
function write(id: string, file: string, text: string, dependsOn: string[] = []): PlanTask {
  const goal = `append ${file} ${text}`;
  return { id, title: goal, goal, capabilities: [], agent: 'writer', dependsOn, decompose: false };
}

/** The goal the planner turns into this plan (it writes the JSON after `PLAN:`). */
const planGoal = (tasks: PlanTask[]) => `split the work\nPLAN:${JSON.stringify({ tasks })}`;

/** Two levels: task 1 plans its own two tasks (1.1, then 1.2), task 2 writes one file. */
const TREE: PlanTask[] = [
  {
    id: 'a',
    title: 'module a',
    goal: `PLAN:${JSON.stringify({ tasks: [write('a1', 'a1.txt', 'one'), write('a2', 'a2.txt', 'two', ['a1'])] })}`,
    capabilities: [],
    dependsOn: [],
    decompose: true,
  },
  write('b', 'b.txt', 'beta'),
];

async function startPlanned(title: string, tasks: PlanTask[], extra: object = {}): Promise<string> {
  const response = await stack.api('/api/sessions', {
    method: 'POST',
    json: {
      title,
      goal: planGoal(tasks),
      repository: stack.sampleRepository,
      plan: { planner: 'planner' },
      ...extra,
    },
  });
  expect(response.status, await response.clone().text()).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

/** The status badge's raw text (CSS shows it in capitals). */
const status = (page: Page) => textOf(page, 'session-status');

const taskNodes = (page: Page) => page.getByTestId('task-tree-panel').getByTestId('task-node');

async function nodeStatuses(page: Page): Promise<Record<string, string>> {
  const pairs = await taskNodes(page).evaluateAll((nodes) =>
    nodes.map((node) => [node.getAttribute('data-path'), node.getAttribute('data-status')]),
  );
  return Object.fromEntries(pairs);
}

/** Approves (or rejects) the one waiting gate through its dialog, with a comment. */
async function decide(page: Page, decision: 'approve' | 'reject', comment: string) {
  await page.getByTestId(`${decision}-button`).click();
  const dialog = page.getByTestId('decision-dialog');
  await dialog.waitFor();
  await dialog.getByTestId('decision-comment').fill(comment);
  await dialog.getByTestId('confirm-accept').click();
}

async function expectAccessible(page: Page, name: string) {
  const serious = seriousViolations(await checkAccessibility(page));
  expect(serious, `${name}: ${JSON.stringify(serious, null, 2)}`).toEqual([]);
}

let origin = '';

describe('console: task trees and time travel', () => {
  it('starts a planned session from the form, waits for approval, and approves it', async () => {
    const { page, errors } = await openConsolePage(browser, undefined, { bypassCSP: true });
    await page.goto(`${stack.baseUrl}/sessions`);
    await page.getByTestId('new-session-form').waitFor();
    await page.getByTestId('session-title-input').fill('Tree in the browser');
    await page.getByTestId('session-goal-input').fill(planGoal(TREE));
    await page.getByTestId('session-repository-input').fill(stack.sampleRepository);
    await page.getByTestId('advanced-options').locator('summary').click();
    await page.getByTestId('plan-enabled').check();
    await page.getByTestId('plan-planner-select').selectOption('planner');
    await page.getByTestId('plan-maxParallel-input').fill('2');
    await page.getByTestId('approval-after-plan').check();
    expect(await page.getByTestId('session-agent-select').inputValue()).toBe('');
    await screenshot(page, 'new-session-advanced');
    await page.getByTestId('session-submit').click();

    await page.waitForURL(/\/sessions\/[a-z0-9]+$/);
    origin = new URL(page.url()).pathname.split('/').pop() ?? '';
    await expect.poll(() => status(page), { timeout: 60_000 }).toBe('awaiting_approval');
    const gate = page.getByTestId('pending-gate');
    expect(await gate.getAttribute('data-gate')).toBe('plan');
    expect(await textOf(page, 'pending-reason')).not.toBe('');
    expect(await textOf(page, 'session-plan')).toContain('planner planner');
    expect(await textOf(page, 'session-plan')).toContain('2 at once');
    // Nothing ran yet: the tree waits for the plan's approval.
    await page.getByTestId('task-tree-empty').waitFor();
    await screenshot(page, 'session-awaiting-approval');
    await expectAccessible(page, 'session awaiting approval');

    await decide(page, 'approve', 'looks right');
    await expect.poll(() => status(page), { timeout: 90_000 }).toBe('completed');
    await expect.poll(() => page.getByTestId('decision-row').count(), { timeout: 15_000 }).toBe(1);
    expect(await textOf(page, 'decisions')).toMatch(/approved[\s\S]*local[\s\S]*looks right/);
    const done = await detailOf(origin);
    expect(done.decisions).toEqual([
      expect.objectContaining({ decision: 'approved', by: 'local', comment: 'looks right' }),
    ]);
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it('shows the completed tree, collapsible, and the verified checkpoints with their diffs', async () => {
    const { page, errors } = await openConsolePage(browser, { width: 1600, height: 1000 });
    await page.goto(`${stack.baseUrl}/sessions/${origin}`);
    await expect
      .poll(() => nodeStatuses(page), { timeout: 30_000 })
      .toEqual({ '1': 'completed', '1.1': 'completed', '1.2': 'completed', '2': 'completed' });
    // The session's own plan had two tasks (task 1 planned its own two).
    expect(await textOf(page, 'session-outcome')).toMatch(/2✓\s*0✗/);
    const temporal = await taskNodes(page)
      .getByTestId('task-temporal-link')
      .evaluateAll((links) => links.map((link) => link.getAttribute('href')));
    expect(temporal.some((href) => href?.includes(`session-${origin}.1.2`))).toBe(true);

    // Folding task 1 hides its two tasks; unfolding shows them again.
    await page
      .locator('[data-testid="task-node"][data-path="1"]')
      .getByTestId('task-toggle')
      .first()
      .click();
    await expect.poll(() => taskNodes(page).count(), { timeout: 5000 }).toBe(2);
    await page.getByRole('button', { name: 'Expand task 1', exact: true }).click();
    await expect.poll(() => taskNodes(page).count(), { timeout: 5000 }).toBe(4);

    // The same tree drawn as a graph (dagre, @xyflow): the session and its four tasks.
    await page.getByTestId('view-graph').click();
    await expect.poll(() => page.getByTestId('graph-node').count(), { timeout: 10_000 }).toBe(5);
    const drawn = await page
      .getByTestId('graph-node')
      .evaluateAll((cards) => cards.map((card) => card.getAttribute('data-status')));
    expect(drawn.filter((value) => value === 'completed')).toHaveLength(4);
    await screenshot(page, 'session-tree-graph');
    await page.getByTestId('view-list').click();
    await expect.poll(() => taskNodes(page).count(), { timeout: 5000 }).toBe(4);

    // Every checkpoint verified: the hash chain and each step's result in workflow history.
    await expect
      .poll(() => page.getByTestId('chain-verification').getAttribute('data-state'), {
        timeout: 20_000,
      })
      .toBe('verified');
    const marks = await page
      .getByTestId('checkpoint-row')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-verified')));
    expect(marks.length).toBeGreaterThanOrEqual(6);
    expect(new Set(marks)).toEqual(new Set(['verified']));
    expect(await page.getByTestId('checkpoint-hash').first().textContent()).toMatch(
      /^#[0-9a-f]{8}$/,
    );

    // Telemetry: every agent step of the tree succeeded; a duration column per checkpoint.
    const success = page.getByTestId('step-success-rate');
    const steps = Number(await success.getAttribute('data-steps'));
    expect(steps).toBeGreaterThanOrEqual(5);
    expect(await success.getAttribute('data-succeeded')).toBe(String(steps));
    expect(await page.getByTestId('step-duration-bar').count()).toBe(marks.length);
    expect(await page.getByTestId('step-duration-max').getAttribute('data-ms')).toMatch(/^\d+$/);

    // The diff task 2's step introduced, from the session's workspace.
    const taskB = page.locator(
      '[data-testid="checkpoint-row"][data-task-path="2"][data-role="work"]',
    );
    await taskB.getByTestId('checkpoint-toggle').click();
    await expect
      .poll(() => taskB.getByTestId('checkpoint-diff').textContent(), { timeout: 15_000 })
      .toContain('b.txt');
    expect(await taskB.getByTestId('checkpoint-diff').textContent()).toContain('beta');
    // A task's checkpoint can be forked, not rewound.
    expect(await taskB.getByTestId('checkpoint-rewind').count()).toBe(0);
    expect(await taskB.getByTestId('checkpoint-fork').count()).toBe(1);
    await screenshot(page, 'session-tree');
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('retries from the plan checkpoint: a new run waits for approval again, then completes', async () => {
    const { page, errors } = await openConsolePage(browser);
    const before = await detailOf(origin);
    await page.goto(`${stack.baseUrl}/sessions/${origin}`);
    const plan = page.locator(
      '[data-testid="checkpoint-row"][data-task-path=""][data-role="plan"]',
    );
    const planSeq = Number(await plan.getAttribute('data-seq'));
    await plan.getByTestId('checkpoint-rewind').click();
    const dialog = page.getByTestId('rewind-dialog');
    await dialog.waitFor();
    // Cancel first: nothing happens.
    await dialog.getByTestId('confirm-cancel').click();
    expect((await detailOf(origin)).runId).toBe(before.runId);
    await plan.getByTestId('checkpoint-rewind').click();
    await screenshot(page, 'rewind-confirm');
    await page.getByTestId('rewind-dialog').getByTestId('confirm-accept').click();

    await page.getByTestId('rewind-notice').waitFor({ timeout: 30_000 });
    expect(await textOf(page, 'rewind-notice')).toContain(`#${planSeq}`);
    const rerun = await eventually(async () => {
      const detail = await detailOf(origin);
      return detail.runId !== before.runId ? detail : undefined;
    });
    expect(rerun.runId).not.toBe(before.runId);
    // The approval came after the plan's checkpoint: the new run asks again.
    await eventually(
      async () => ((await detailOf(origin)).status === 'awaiting_approval' ? true : undefined),
      60_000,
      'the rewound run to wait for approval',
    );
    await expect.poll(() => status(page), { timeout: 15_000 }).toBe('awaiting_approval');
    await decide(page, 'approve', 'again');
    await expect.poll(() => status(page), { timeout: 90_000 }).toBe('completed');
    await expect
      .poll(() => page.getByTestId('chain-verification').getAttribute('data-state'), {
        timeout: 20_000,
      })
      .toBe('verified');
    const after = await detailOf(origin);
    expect(after.checkpoints[0]).toMatchObject({
      role: 'plan',
      commitSha: before.checkpoints[0]?.commitSha,
    });
    await screenshot(page, 'session-rewound');
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it('forks from a task’s checkpoint with another agent, lands on the fork and rejects its plan', async () => {
    const { page, errors } = await openConsolePage(browser);
    await page.goto(`${stack.baseUrl}/sessions/${origin}`);
    const taskB = page.locator(
      '[data-testid="checkpoint-row"][data-task-path="2"][data-role="work"]',
    );
    await taskB.waitFor({ timeout: 30_000 });
    const seq = Number(await taskB.getAttribute('data-seq'));
    await taskB.getByTestId('checkpoint-fork').click();
    const dialog = page.getByTestId('fork-dialog');
    await dialog.waitFor();
    await dialog.getByTestId('fork-agent-select').selectOption('writer');
    await dialog.getByTestId('fork-title-input').fill('Forked in the browser');
    await dialog.getByTestId('confirm-accept').click();

    await page.waitForURL(
      (url) => /\/sessions\/[a-z0-9]+$/.test(url.pathname) && !url.pathname.endsWith(origin),
    );
    const fork = new URL(page.url()).pathname.split('/').pop() ?? '';
    await expect
      .poll(() => textOf(page, 'session-title'), { timeout: 15_000 })
      .toBe('Forked in the browser');
    expect(await textOf(page, 'forked-from')).toBe(`${origin}@${seq}`);
    const detail = await detailOf(fork);
    expect(detail.forkedFrom).toMatchObject({ sessionId: origin, checkpoint: seq });

    // The fork keeps the origin's approvals: reject its plan here, which fails it.
    await expect.poll(() => status(page), { timeout: 60_000 }).toBe('awaiting_approval');
    await screenshot(page, 'session-fork');
    await decide(page, 'reject', 'not this way');
    await expect.poll(() => status(page), { timeout: 60_000 }).toBe('failed');
    await expect
      .poll(() => textOf(page, 'session-error'))
      .toMatch(/rejected by local: not this way/);
    expect(await page.getByTestId('decision-row').getAttribute('data-decision')).toBe('rejected');
    expect(errors).toEqual([]);
    await page.close();
  }, 150_000);

  it('waits at its wall-time budget until the limit is raised in the browser', async () => {
    const { page, errors } = await openConsolePage(browser);
    const slow = { ...write('slow', 'slow.txt', 'x'), agent: 'steady' };
    const id = await startPlanned(
      'over budget',
      [slow, write('after', 'after.txt', 'y', ['slow'])],
      {
        budget: { maxWallTimeMs: 1000 },
      },
    );
    await page.goto(`${stack.baseUrl}/sessions/${id}`);
    await page.getByTestId('budget-waiting').waitFor({ timeout: 60_000 });
    // The gate opens in one workflow task, SessionStatus follows in the next.
    await expect.poll(() => status(page), { timeout: 15_000 }).toBe('awaiting_approval');
    const wall = page.locator('[data-testid="budget-bar"][data-key="wall"]');
    // The wall-time bar counts up each second in the browser.
    await expect.poll(() => wall.getAttribute('data-over'), { timeout: 5000 }).toBe('true');
    expect(await wall.getAttribute('data-limit')).toBe('1000');
    // A budget gate is raised, not approved.
    expect(await page.getByTestId('approve-button').count()).toBe(0);
    await screenshot(page, 'session-budget');

    await page.getByTestId('budget-wallMinutes-input').fill('10');
    await page.getByTestId('budget-save').click();
    await expect.poll(() => status(page), { timeout: 90_000 }).toBe('completed');
    await expect
      .poll(() => wall.getAttribute('data-limit'), { timeout: 10_000 })
      .toBe(String(10 * 60_000));
    expect(errors).toEqual([]);
    await page.close();
  }, 150_000);

  it('pauses a running tree (no new step starts) and resumes it', async () => {
    const { page, errors } = await openConsolePage(browser);
    const tick = (id: string, dependsOn: string[] = []) => ({
      ...write(id, `${id}.txt`, id, dependsOn),
      agent: 'steady',
    });
    const id = await startPlanned('pause me', [tick('x'), tick('y', ['x'])]);
    await page.goto(`${stack.baseUrl}/sessions/${id}`);
    // Pause while x's step runs (about 6 s): it finishes, and y must not start.
    await expect
      .poll(async () => (await nodeStatuses(page))['1'], { timeout: 60_000, interval: 200 })
      .toBe('running');
    // A task shows running from its start, before its step has a permit: a pause then would
    // hold x's own step. Wait until the step runs.
    await expect
      .poll(async () => (await detailOf(id)).steps.running, { timeout: 30_000, interval: 200 })
      .toBe(1);
    await page.getByTestId('pause-button').click();
    await page.getByTestId('resume-button').waitFor({ timeout: 30_000 });
    // Once x's step ends the tree holds still: y's task may be open, but no step of it runs.
    await expect.poll(() => status(page), { timeout: 60_000 }).toBe('paused');
    await expect
      .poll(() => nodeStatuses(page), { timeout: 15_000 })
      .toMatchObject({ '1': 'completed' });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const held = await detailOf(id);
    expect(held).toMatchObject({ status: 'paused', paused: true });
    // Task 2 merged task 1's branch (a merge, no agent), but started no step of its own.
    expect(held.checkpoints.filter((c) => c.taskPath === '2' && c.role === 'work')).toEqual([]);
    // Task 2 is open and asked for a step permit: the tree says queued, not running.
    const taskY = page.locator('[data-testid="task-node"][data-path="2"]');
    await expect.poll(() => taskY.getAttribute('data-queued'), { timeout: 15_000 }).toBe('true');
    expect(await taskY.getAttribute('data-status')).toBe('running');
    expect(await taskY.locator('.badge').first().textContent()).toBe('queued');
    await screenshot(page, 'session-paused');
    await page.getByTestId('resume-button').click();
    await expect.poll(() => status(page), { timeout: 60_000 }).toBe('completed');
    await expect
      .poll(() => nodeStatuses(page), { timeout: 15_000 })
      .toEqual({ '1': 'completed', '2': 'completed' });
    expect(await taskY.getAttribute('data-queued')).toBe('false');
    expect(errors).toEqual([]);
    await page.close();
  }, 150_000);

  it('shows every planned session’s tree on the Tasks page, filtered in the browser', async () => {
    const { page, errors } = await openConsolePage(browser, { width: 1600, height: 1000 });
    // The sessions list marks a planned session from the list alone.
    await page.goto(`${stack.baseUrl}/sessions`);
    const inList = page.locator(`[data-testid="session-row"][data-session-id="${origin}"]`);
    await inList.waitFor({ timeout: 30_000 });
    expect(await inList.getAttribute('data-planned')).toBe('true');
    expect(await inList.getByTestId('session-planned').count()).toBe(1);

    await page.goto(`${stack.baseUrl}/tasks`);
    const row = page.locator(`[data-testid="forest-session"][data-session-id="${origin}"]`);
    await row.waitFor({ timeout: 30_000 });
    // Only planned sessions are listed.
    const listed = await page
      .getByTestId('forest-session')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-session-id')));
    for (const id of listed) expect((await detailOf(id ?? '')).plan).not.toBeNull();

    await row.getByTestId('forest-toggle').click();
    const nodes = row.getByTestId('task-node');
    await expect.poll(() => nodes.count(), { timeout: 20_000 }).toBe(4);
    const links = await row
      .getByTestId('task-session-link')
      .evaluateAll((all) => all.map((a) => a.getAttribute('href')));
    expect(new Set(links)).toEqual(new Set([`/sessions/${origin}`]));
    expect(
      await row
        .locator('[data-path="1.2"]')
        .getByTestId('task-temporal-link')
        .first()
        .getAttribute('href'),
    ).toContain(`session-${origin}.1.2`);

    // A node status filter reads every tree of the page and keeps the matching ones: the
    // rejected fork never ran a task, the origin's tasks all completed.
    await page.getByTestId('task-status-filter').selectOption('completed');
    await page.waitForURL(/status=completed/);
    await expect
      .poll(() =>
        page
          .getByTestId('forest-session')
          .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-session-id'))),
      )
      .toContain(origin);
    await page.getByTestId('task-session-filter').fill(origin.slice(0, 6));
    await expect
      .poll(() => page.getByTestId('forest-session').count(), { timeout: 10_000 })
      .toBe(1);
    await screenshot(page, 'tasks');

    // Each node links to its session's page.
    await row.getByTestId('task-session-link').first().click();
    await page.waitForURL(new RegExp(`/sessions/${origin}$`));
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('passes an automated accessibility check on every page', async () => {
    const { page, errors } = await openConsolePage(browser, undefined, { bypassCSP: true });
    const pages: Array<[string, string, string]> = [
      ['overview', '/', 'stat-running'],
      ['sessions', '/sessions', 'session-row'],
      ['session detail', `/sessions/${origin}`, 'task-node'],
      ['agents', '/agents', 'agent-row'],
      ['tasks', '/tasks', 'forest-session'],
    ];
    for (const [name, path, ready] of pages) {
      await page.goto(`${stack.baseUrl}${path}`);
      await page.getByTestId(ready).first().waitFor({ timeout: 30_000 });
      if (name === 'session detail') {
        await page.getByTestId('checkpoint-toggle').first().click();
        await page.getByTestId('checkpoint-diff').waitFor();
        await expectAccessible(page, 'session detail with a diff');
        await page.getByTestId('view-graph').click();
        await page.getByTestId('graph-node').first().waitFor();
      }
      if (name === 'tasks') {
        await page
          .locator(`[data-testid="forest-session"][data-session-id="${origin}"]`)
          .waitFor({ timeout: 20_000 });
        await page.getByTestId('forest-expand-all').click();
        await page.getByTestId('task-node').first().waitFor({ timeout: 20_000 });
      }
      await expectAccessible(page, name);
    }
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
