/**
 * Task trees, approval gates, budgets and time travel over HTTP, against the real stack
 * (Temporal dev server, Postgres, Redis, a worker in this process) with scripted agents: a
 * planner that writes the plan its goal carries, and a writer that appends one line to a file.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionProcesses } from './support/agent-sessions.js';
import { testAgents, treeAgents } from './support/agents.js';
import { eventually, startStack, type Stack } from './support/stack.js';

let stack: Stack;
const serverErrors: string[] = [];

beforeAll(async () => {
  stack = await startStack({ agents: [...testAgents, ...treeAgents], heartbeatTimeoutMs: 5000 });
});
afterAll(async () => {
  await stack?.stop();
});

interface Checkpoint {
  seq: number;
  workflowId: string;
  eventId: number;
  taskPath: string;
  role: string;
  commitSha: string | null;
  resultDigest: string;
}

interface Detail {
  id: string;
  title: string;
  status: string;
  runId: string;
  agent: string;
  error: string | null;
  checkpoints: Checkpoint[];
  usage: { tokens: number; costUsd: number };
  budget: Record<string, number>;
  pending: Array<{ gate: string; taskPath: string; reason: string }>;
  decisions: Array<Record<string, string>>;
  paused: boolean;
  outcome: { completed: number; failed: number; skipped: number } | null;
  plan: Record<string, unknown> | null;
  steps: { running: number; waiting: number };
  forkedFrom: { sessionId: string; checkpoint: number; commitSha: string } | null;
}

interface Problem {
  status: number;
  detail: string;
  errors?: Array<{ path: string; message: string }>;
}

/** Every response is checked: no input may ever produce a 5xx (but the documented 503). */
async function call(path: string, init?: RequestInit & { json?: unknown }): Promise<Response> {
  const response = await stack.api(path, init);
  if (response.status >= 500 && response.status !== 503) {
    serverErrors.push(`${init?.method ?? 'GET'} ${path} → ${response.status}`);
  }
  return response;
}

const post = (path: string, json: unknown = {}) => call(path, { method: 'POST', json });

async function ok<T>(response: Response, status = 200): Promise<T> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  return JSON.parse(text) as T;
}

async function problem(response: Response, status: number): Promise<Problem> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(response.headers.get('content-type')).toContain('application/problem+json');
  return JSON.parse(text) as Problem;
}

const detailOf = async (id: string) => ok<Detail>(await call(`/api/sessions/${id}`));

function waitFor(
  id: string,
  check: (detail: Detail) => boolean,
  what: string,
  timeoutMs = 60_000,
): Promise<Detail> {
  return eventually(
    async () => {
      const detail = await detailOf(id);
      return check(detail) ? detail : undefined;
    },
    timeoutMs,
    `session ${id}: ${what}`,
  );
}

const waitForStatus = (id: string, status: string, timeoutMs?: number) =>
  waitFor(id, (d) => d.status === status, `status ${status}`, timeoutMs);

interface PlanTask {
  id: string;
  title: string;
  goal: string;
  capabilities: string[];
  agent: string;
  dependsOn: string[];
  decompose: boolean;
}

/** A task for the writer: append `text` to `file` in its worktree. */
function writeTask(id: string, file: string, text: string, dependsOn: string[] = []): PlanTask {
  const goal = `append ${file} ${text}`;
  return { id, title: goal, goal, capabilities: [], agent: 'writer', dependsOn, decompose: false };
}

async function startPlanned(title: string, tasks: PlanTask[], extra: object = {}) {
  const response = await post('/api/sessions', {
    title,
    goal: `split the work\nPLAN:${JSON.stringify({ tasks })}`,
    repository: stack.sampleRepository,
    plan: { planner: 'planner', maxParallel: 2 },
    ...extra,
  });
  return ok<Detail>(response, 201);
}

const workspaceOf = (sessionId: string) => join(stack.settings.workspacesDir, sessionId);

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
}

function isAncestor(cwd: string, ancestor: string, of: string): boolean {
  try {
    execFileSync('git', ['merge-base', '--is-ancestor', ancestor, of], { cwd });
    return true;
  } catch {
    return false;
  }
}

const THREE_TASKS = [
  writeTask('a', 'a.txt', 'alpha'),
  writeTask('b', 'b.txt', 'beta'),
  writeTask('c', 'c.txt', 'gamma', ['a']),
];

describe('a planned session', () => {
  let origin: Detail;
  let firstRun: Checkpoint[];

  it('runs its plan as a tree of tasks, shows the tree and verifies every checkpoint', async () => {
    const started = await startPlanned('three files', THREE_TASKS);
    expect(started).toMatchObject({
      status: 'pending',
      agent: '',
      plan: { planner: 'planner', maxParallel: 2 },
      budget: {},
      forkedFrom: null,
    });
    origin = await waitForStatus(started.id, 'completed');
    expect(origin.outcome).toEqual({ completed: 3, failed: 0, skipped: 0 });

    const tree = await ok<{
      sessionId: string;
      status: string;
      outcome: unknown;
      nodes: Array<Record<string, unknown> & { children: unknown[] }>;
    }>(await call(`/api/sessions/${origin.id}/tree`));
    expect(tree).toMatchObject({ sessionId: origin.id, status: 'completed' });
    expect(tree.nodes.map((n) => n.path)).toEqual(['1', '2', '3']);
    for (const [index, node] of tree.nodes.entries()) {
      const path = String(index + 1);
      expect(node).toMatchObject({
        path,
        planId: THREE_TASKS[index]?.id,
        workflowId: `session-${origin.id}.${path}`,
        status: 'completed',
        agent: 'writer',
        usage: { tokens: 0, costUsd: 0 },
        subtreeUsage: { tokens: 0, costUsd: 0 },
        children: [],
      });
      expect(String(node.temporalUrl)).toContain(`session-${origin.id}.${path}`);
      expect(node.startedAt).toEqual(expect.any(String));
      expect(node.finishedAt).toEqual(expect.any(String));
    }
    expect(tree.nodes[2]?.dependsOn).toEqual(['a']);

    const { items, verification } = await ok<{
      items: Checkpoint[];
      verification: { verified: boolean; checked: number; links: unknown[] };
    }>(await call(`/api/sessions/${origin.id}/checkpoints`));
    expect(verification).toMatchObject({ verified: true, checked: items.length });
    expect(verification.links).toEqual(items.map((c) => ({ seq: c.seq, ok: true, problem: null })));
    expect(items.map((c) => c.seq)).toEqual(items.map((_, i) => i + 1));
    expect(items[0]).toMatchObject({
      role: 'plan',
      taskPath: '',
      workflowId: `session-${origin.id}`,
    });
    const work = items.filter((c) => c.role === 'work');
    expect(work.map((c) => c.taskPath).sort()).toEqual(['1', '2', '3']);
    for (const c of work) expect(c.workflowId).toBe(`session-${origin.id}.${c.taskPath}`);
    expect(items.at(-1)).toMatchObject({ role: 'merge', taskPath: '' });
    firstRun = items;

    // The session's workspace holds every task's work, merged.
    const workspace = workspaceOf(origin.id);
    expect(git(workspace, 'rev-parse', 'HEAD')).toBe(items.at(-1)?.commitSha);
    expect(readFileSync(join(workspace, 'a.txt'), 'utf8')).toBe('alpha\n');
    expect(readFileSync(join(workspace, 'c.txt'), 'utf8')).toBe('gamma\n');
  });

  it('shows the diff a checkpoint introduced, a task’s too', async () => {
    const taskA = firstRun.find((c) => c.role === 'work' && c.taskPath === '1')!;
    const diff = await ok<{
      checkpoint: number;
      sha: string;
      parentSha: string;
      patch: string;
      truncated: boolean;
      files: Array<{ path: string; status: string; additions: number }>;
    }>(await call(`/api/sessions/${origin.id}/diff?checkpoint=${taskA.seq}`));
    expect(diff).toMatchObject({ checkpoint: taskA.seq, sha: taskA.commitSha, truncated: false });
    expect(diff.parentSha).toMatch(/^[0-9a-f]{40}$/);
    expect(diff.files).toEqual([
      expect.objectContaining({ path: 'a.txt', status: 'added', additions: 1 }),
    ]);
    expect(diff.patch).toContain('+alpha');

    const plan = await ok<{ files: Array<{ path: string }> }>(
      await call(`/api/sessions/${origin.id}/diff?checkpoint=1`),
    );
    expect(plan.files.map((f) => f.path)).toContain('.orchestrator/plan.json');

    const missing = await problem(await call(`/api/sessions/${origin.id}/diff?checkpoint=99`), 404);
    expect(missing.errors?.[0]?.path).toBe('query.checkpoint');
    const noQuery = await problem(await call(`/api/sessions/${origin.id}/diff`), 400);
    expect(noQuery.errors?.[0]?.path).toBe('query.checkpoint');
  });

  it('rewinds to its plan checkpoint: a new run reruns the tasks from the plan’s commit', async () => {
    const planCheckpoint = firstRun[0]!;
    const taskCheckpoint = firstRun.find((c) => c.taskPath === '2')!;
    const taskRefusal = await problem(
      await post(`/api/sessions/${origin.id}/retry`, { checkpoint: taskCheckpoint.seq }),
      409,
    );
    expect(taskRefusal.detail).toMatch(/fork/i);
    const unknown = await problem(
      await post(`/api/sessions/${origin.id}/retry`, { checkpoint: 99 }),
      404,
    );
    expect(unknown.errors?.[0]?.path).toBe('body.checkpoint');
    await problem(await post(`/api/sessions/${origin.id}/retry`, { checkpoint: 0 }), 400);
    // Without a checkpoint, only failed or cancelled sessions run again.
    await problem(await post(`/api/sessions/${origin.id}/retry`), 409);

    const rewound = await ok<Detail & { resetTo: { checkpoint: number; eventId: number } }>(
      await post(`/api/sessions/${origin.id}/retry`, { checkpoint: planCheckpoint.seq }),
      201,
    );
    expect(rewound.resetTo).toEqual({ checkpoint: 1, eventId: planCheckpoint.eventId });
    expect(rewound.runId).not.toBe(origin.runId);
    const rerun = await waitFor(
      origin.id,
      (d) => d.runId === rewound.runId && d.status === 'completed',
      'the rewound run completes',
    );

    // The plan step is not run again: its result comes from the history before the reset.
    expect(rerun.checkpoints[0]).toMatchObject({
      role: 'plan',
      commitSha: planCheckpoint.commitSha,
      resultDigest: planCheckpoint.resultDigest,
    });
    const finalBefore = firstRun.at(-1)!.commitSha!;
    const finalAfter = rerun.checkpoints.at(-1)!;
    expect(finalAfter).toMatchObject({ role: 'merge', taskPath: '' });
    expect(finalAfter.commitSha).not.toBe(finalBefore);
    expect(rerun.checkpoints.filter((c) => c.role === 'work')).toHaveLength(3);

    const workspace = workspaceOf(origin.id);
    const head = git(workspace, 'rev-parse', 'HEAD');
    expect(head).toBe(finalAfter.commitSha);
    expect(isAncestor(workspace, planCheckpoint.commitSha!, head)).toBe(true);
    expect(isAncestor(workspace, finalBefore, head)).toBe(false);
    // Each task ran once on top of the plan's commit, not on top of the first run's work.
    expect(readFileSync(join(workspace, 'a.txt'), 'utf8')).toBe('alpha\n');
    expect(readFileSync(join(workspace, 'b.txt'), 'utf8')).toBe('beta\n');

    const { verification } = await ok<{ verification: { verified: boolean } }>(
      await call(`/api/sessions/${origin.id}/checkpoints`),
    );
    expect(verification.verified).toBe(true);
  });

  it('rewinds a tree while a task’s step runs: that agent is stopped and the new run completes', async () => {
    const slow = { ...writeTask('slow', 'slow.txt', 'x'), agent: 'steady' };
    const started = await startPlanned('rewind mid-run', [
      slow,
      writeTask('after', 'after.txt', 'y', ['slow']),
    ]);
    const running = await waitFor(
      started.id,
      (d) => d.steps.running === 1 && d.checkpoints.some((c) => c.role === 'plan'),
      'task 1 to run its step',
    );
    const plan = running.checkpoints.find((c) => c.role === 'plan')!;
    const rewound = await ok<Detail>(
      await post(`/api/sessions/${started.id}/retry`, { checkpoint: plan.seq }),
      201,
    );
    expect(rewound.runId).not.toBe(running.runId);
    // The old run's children go with it; the new run starts its own under the same ids.
    const rerun = await waitFor(
      started.id,
      (d) => d.runId === rewound.runId && d.status === 'completed',
      'the rewound run completes',
    );
    expect(rerun.outcome).toEqual({ completed: 2, failed: 0, skipped: 0 });
    expect(rerun.checkpoints.filter((c) => c.role === 'work')).toHaveLength(2);
    // The merged work of both tasks: steady's done.txt and the writer's line, once.
    expect(readFileSync(join(workspaceOf(started.id), 'done.txt'), 'utf8')).toBe('ok\n');
    expect(readFileSync(join(workspaceOf(started.id), 'after.txt'), 'utf8')).toBe('y\n');
    // Nothing of the abandoned run's agent outlives it.
    expect(sessionProcesses(started.id)).toEqual([]);
    // The new run's first attempt ran to the end: the old attempt's final sweep stops only its
    // own processes, not the new agent that had started meanwhile in the same task.
    const attempts = await stack.storage.db
      .selectFrom('agent_steps')
      .select(['run_id', 'attempt', 'outcome'])
      .where('workflow_id', '=', `session-${started.id}.1`)
      .orderBy('started_at')
      .execute();
    // (The old run's attempt has a row only if its worker had started it before the rewind.)
    const last = attempts.at(-1);
    expect(last).toMatchObject({ attempt: 1, outcome: 'succeeded' });
    expect(attempts.filter((row) => row.run_id === last?.run_id)).toHaveLength(1);
  });

  it('forks from a task’s checkpoint into a linked session that completes', async () => {
    const current = await detailOf(origin.id);
    const taskB = current.checkpoints.find((c) => c.role === 'work' && c.taskPath === '2')!;
    const unknownAgent = await problem(
      await post(`/api/sessions/${origin.id}/fork`, { checkpoint: taskB.seq, agent: 'nobody' }),
      400,
    );
    expect(unknownAgent.errors?.map((e) => e.path)).toEqual(['body.agent']);
    const noCheckpoint = await problem(await post(`/api/sessions/${origin.id}/fork`, {}), 400);
    expect(noCheckpoint.errors?.[0]?.path).toBe('body.checkpoint');
    const missing = await problem(
      await post(`/api/sessions/${origin.id}/fork`, { checkpoint: 99 }),
      404,
    );
    expect(missing.errors?.[0]?.path).toBe('body.checkpoint');

    const response = await post(`/api/sessions/${origin.id}/fork`, { checkpoint: taskB.seq });
    expect(response.headers.get('location')).toMatch(/^\/api\/sessions\/[a-z0-9]+$/);
    const fork = await ok<Detail>(response, 201);
    const link = { sessionId: origin.id, checkpoint: taskB.seq, commitSha: taskB.commitSha };
    expect(fork.id).not.toBe(origin.id);
    expect(fork).toMatchObject({
      title: `three files (fork of ${origin.id}@${taskB.seq})`,
      plan: { planner: 'planner', maxParallel: 2 },
      forkedFrom: link,
    });
    const done = await waitForStatus(fork.id, 'completed');
    expect(done.forkedFrom).toEqual(link);

    // The fork started at task b's commit (b.txt already there), then ran the plan again.
    const workspace = workspaceOf(fork.id);
    expect(isAncestor(workspace, taskB.commitSha!, 'HEAD')).toBe(true);
    expect(readFileSync(join(workspace, 'b.txt'), 'utf8')).toBe('beta\nbeta\n');
    expect(readFileSync(join(workspace, 'a.txt'), 'utf8')).toBe('alpha\n');
  });
});

describe('approval gates, pause and budgets', () => {
  it('waits for approval after planning; the decision is kept with who made it', async () => {
    const started = await startPlanned('approve me', THREE_TASKS.slice(0, 2), {
      approvals: { afterPlan: true },
    });
    const waiting = await waitForStatus(started.id, 'awaiting_approval');
    expect(waiting.pending).toEqual([expect.objectContaining({ gate: 'plan', taskPath: '' })]);
    const tree = await ok<{ nodes: unknown[] }>(await call(`/api/sessions/${started.id}/tree`));
    expect(tree.nodes).toEqual([]);

    await problem(await post(`/api/sessions/${started.id}/approve`, { gate: 'merge' }), 409);
    await problem(await post(`/api/sessions/${started.id}/approve`, { gate: 'nope' }), 400);
    const decision = await ok<Record<string, string>>(
      await post(`/api/sessions/${started.id}/approve`, { comment: 'looks right' }),
    );
    // Without authentication the caller is the gateway's local user.
    expect(decision).toMatchObject({
      gate: 'plan',
      taskPath: '',
      decision: 'approved',
      by: 'local',
      comment: 'looks right',
    });
    const done = await waitForStatus(started.id, 'completed');
    expect(done.decisions).toEqual([decision]);
    expect(done.pending).toEqual([]);
    const closed = await problem(await post(`/api/sessions/${started.id}/approve`), 409);
    expect(closed.detail).toMatch(/completed/);
  });

  it('fails a session whose plan is rejected', async () => {
    const started = await startPlanned('reject me', THREE_TASKS.slice(0, 1), {
      approvals: { afterPlan: true },
    });
    await waitForStatus(started.id, 'awaiting_approval');
    const decision = await ok<Record<string, string>>(
      await post(`/api/sessions/${started.id}/reject`, { comment: 'not this way' }),
    );
    expect(decision).toMatchObject({ gate: 'plan', decision: 'rejected', by: 'local' });
    const failed = await waitForStatus(started.id, 'failed');
    expect(failed.error).toMatch(/rejected by local: not this way/);
    expect(failed.checkpoints.filter((c) => c.role === 'work')).toEqual([]);
  });

  it('pauses (no new step starts) and resumes; the budget can change meanwhile', async () => {
    const started = await startPlanned('pause me', THREE_TASKS.slice(0, 2));
    const paused = await ok<{ id: string; status: string }>(
      await post(`/api/sessions/${started.id}/pause`),
      202,
    );
    expect(paused.id).toBe(started.id);
    const waiting = await waitForStatus(started.id, 'paused');
    expect(waiting.paused).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const still = await detailOf(started.id);
    expect(still.status).toBe('paused');
    expect(still.checkpoints.filter((c) => c.role === 'work')).toEqual([]);

    await problem(
      await call(`/api/sessions/${started.id}/budget`, { method: 'PUT', json: { maxTokens: 0 } }),
      400,
    );
    const budget = await ok<Record<string, number>>(
      await call(`/api/sessions/${started.id}/budget`, {
        method: 'PUT',
        json: { maxTokens: 1_000_000 },
      }),
    );
    expect(budget).toEqual({ maxTokens: 1_000_000 });
    expect((await detailOf(started.id)).budget).toEqual({ maxTokens: 1_000_000 });

    await ok(await post(`/api/sessions/${started.id}/resume`), 202);
    const done = await waitForStatus(started.id, 'completed');
    expect(done.paused).toBe(false);
    expect(done.outcome).toEqual({ completed: 2, failed: 0, skipped: 0 });
    await problem(await post(`/api/sessions/${started.id}/pause`), 409);
    await problem(
      await call(`/api/sessions/${started.id}/budget`, { method: 'PUT', json: {} }),
      409,
    );
  });

  it('stops starting steps at its wall-time budget until the budget is raised', async () => {
    const slow = { ...writeTask('slow', 'slow.txt', 'x'), agent: 'steady' };
    const started = await startPlanned(
      'over budget',
      [slow, writeTask('after', 'after.txt', 'y', ['slow'])],
      { budget: { maxWallTimeMs: 1000 } },
    );
    // The gate opens in one workflow task, SessionStatus follows in the next: wait for both.
    const waiting = await waitFor(
      started.id,
      (d) => d.pending.some((p) => p.gate === 'budget') && d.status === 'awaiting_approval',
      'the budget gate',
    );
    expect(waiting.budget).toEqual({ maxWallTimeMs: 1000 });
    const refused = await problem(await post(`/api/sessions/${started.id}/approve`), 409);
    expect(refused.detail).toMatch(/raise it/);

    const raised = await ok<Record<string, number>>(
      await call(`/api/sessions/${started.id}/budget`, {
        method: 'PUT',
        json: { maxWallTimeMs: 600_000 },
      }),
    );
    expect(raised).toEqual({ maxWallTimeMs: 600_000 });
    const done = await waitForStatus(started.id, 'completed', 90_000);
    expect(done.outcome).toEqual({ completed: 2, failed: 0, skipped: 0 });

    const audit = await ok<{ items: Array<{ target: string; detail: unknown }> }>(
      await call('/api/audit?action=session.budget&limit=5'),
    );
    expect(audit.items[0]).toMatchObject({
      target: started.id,
      detail: { budget: { maxWallTimeMs: 600_000 } },
    });
  });
});

describe('refusals', () => {
  it('validates plans, budgets and approvals when a session starts', async () => {
    const base = { title: 't', goal: 'g', repository: stack.sampleRepository };
    const cases: Array<[object, string[]]> = [
      [{ plan: { maxDepth: 11 } }, ['body.plan.maxDepth']],
      [{ plan: { planner: 'nobody' } }, ['body.plan.planner']],
      [
        { plan: {}, budget: { maxWallTimeMs: 10, maxCostUsd: 0 } },
        ['body.budget.maxCostUsd', 'body.budget.maxWallTimeMs'],
      ],
      [{ plan: {}, approvals: { afterPlan: 'yes' } }, ['body.approvals.afterPlan']],
      [{}, ['body.agent']],
    ];
    for (const [extra, paths] of cases) {
      const refused = await problem(await post('/api/sessions', { ...base, ...extra }), 400);
      expect(refused.errors?.map((e) => e.path).sort(), JSON.stringify(extra)).toEqual(paths);
    }
  });

  it('answers 404 problems for sessions that do not exist', async () => {
    const none = '/api/sessions/nosuchsession';
    for (const [method, path, json] of [
      ['GET', `${none}/tree`],
      ['GET', `${none}/checkpoints`],
      ['GET', `${none}/diff?checkpoint=1`],
      ['POST', `${none}/approve`, {}],
      ['POST', `${none}/reject`, {}],
      ['POST', `${none}/pause`, {}],
      ['POST', `${none}/resume`, {}],
      ['PUT', `${none}/budget`, {}],
      ['POST', `${none}/retry`, { checkpoint: 1 }],
      ['POST', `${none}/fork`, { checkpoint: 1 }],
    ] as const) {
      await problem(await call(path, { method, ...(json ? { json } : {}) }), 404);
    }
  });

  it('answers 503 for a diff when the workspace is not readable from the gateway', async () => {
    const started = await ok<Detail>(
      await post('/api/sessions', {
        title: 'one note',
        goal: 'append note.txt hello',
        repository: stack.sampleRepository,
        agent: 'writer',
      }),
      201,
    );
    const done = await waitForStatus(started.id, 'completed');
    expect(done.forkedFrom).toBeNull();
    const diff = await ok<{ files: Array<{ path: string }> }>(
      await call(`/api/sessions/${started.id}/diff?checkpoint=1`),
    );
    expect(diff.files.map((f) => f.path)).toEqual(['note.txt']);
    rmSync(workspaceOf(started.id), { recursive: true, force: true });
    const unavailable = await problem(
      await call(`/api/sessions/${started.id}/diff?checkpoint=1`),
      503,
    );
    expect(unavailable.detail).toMatch(/workspaces directory/);
  });

  it('never answered with a server error', () => {
    expect(serverErrors).toEqual([]);
  });
});
