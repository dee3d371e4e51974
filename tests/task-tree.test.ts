/**
 * Task trees, budgets, approvals and time travel on a real Temporal dev server with a real
 * worker, real git and the real activities (PGlite, in-process log bus). The agents are
 * scripted `command` agents: a planner that writes the plan found after `PLAN:` in its task's
 * goal, and workers that write a file named after their task's path.
 */
import { access, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { execa } from 'execa';
import Long from 'long';
import type { AgentConfig } from '@orchestrator/activities/agents/types';
import {
  ORCHESTRATOR_TASK_QUEUE,
  SessionStatusKey,
  TokensUsedKey,
  approveUpdate,
  pauseSignal,
  rejectUpdate,
  resumeSignal,
  sessionWorkflowId,
  setBudgetUpdate,
  stateQuery,
  type SessionInput,
  type SessionState,
} from '@orchestrator/workflows/client';
import { verifyCheckpointChain } from '@orchestrator/workflows/checkpoint';
import type { WorkerService } from '@orchestrator/worker';
import { isAlive } from './support/agents.js';
import { eventually } from './support/stack.js';
import {
  startWorkflowEnvironment,
  type WorkflowEnvironment,
} from './support/workflow-environment.js';

/** Writes the JSON after `PLAN:` in the task's goal; a goal saying INVALID_FIRST gets one bad plan first. */
const PLANNER_SCRIPT = `
const fs = require('node:fs'); const path = require('node:path');
const goal = process.env.ORCHESTRATOR_TASK_GOAL;
const file = process.env.ORCHESTRATOR_PLAN_FILE;
fs.mkdirSync(path.dirname(file), { recursive: true });
const start = goal.indexOf('PLAN:');
let plan = start >= 0 ? goal.slice(start + 5) : '{"tasks":[]}';
if (goal.includes('INVALID_FIRST') && !process.env.ORCHESTRATOR_PLAN_ERRORS) plan = '{"tasks":[{"id":"Bad Id"}]}';
fs.writeFileSync(file, plan);
console.log('planned', process.env.ORCHESTRATOR_TASK_PATH || 'session');
`;

const treeAgents: AgentConfig[] = [
  {
    name: 'planner',
    kind: 'command',
    capabilities: ['plan'],
    command: ['node', '-e', PLANNER_SCRIPT],
  },
  {
    name: 'writer',
    kind: 'command',
    capabilities: ['code'],
    command: [
      'sh',
      '-c',
      'printf "%s\\n" "$ORCHESTRATOR_TASK_GOAL" > "out-$ORCHESTRATOR_TASK_PATH.txt"; ls; echo wrote',
    ],
  },
  {
    name: 'sleeper',
    kind: 'command',
    command: [
      'sh',
      '-c',
      'sleep 3; printf "%s\\n" "$ORCHESTRATOR_TASK_GOAL" > "out-$ORCHESTRATOR_TASK_PATH.txt"',
    ],
  },
  {
    name: 'spender',
    kind: 'command',
    // Reports what it "spent", as a script wrapping a model would.
    command: [
      'sh',
      '-c',
      'echo \'ORCHESTRATOR_USAGE {"inputTokens":400,"outputTokens":200,"costUsd":0.01}\'; printf "%s\\n" "$ORCHESTRATOR_TASK_GOAL" > "out-$ORCHESTRATOR_TASK_PATH.txt"',
    ],
  },
  {
    name: 'clasher',
    kind: 'command',
    command: ['sh', '-c', 'printf "%s\\n" "$ORCHESTRATOR_TASK_PATH" > shared.txt'],
  },
  {
    name: 'resolver',
    kind: 'command',
    capabilities: ['code'],
    command: [
      'sh',
      '-c',
      'git diff --name-only --diff-filter=U; printf "resolved\\n" > shared.txt',
    ],
  },
  {
    name: 'idle',
    kind: 'command',
    command: ['sh', '-c', 'echo "nothing to do"'],
  },
  {
    name: 'napper',
    kind: 'command',
    command: ['sh', '-c', 'echo $$ > agent.pid; sleep 300'],
  },
  {
    name: 'breaker',
    kind: 'command',
    // Spends before it breaks: a failed task's tokens count for the tree all the same.
    command: [
      'sh',
      '-c',
      'echo \'ORCHESTRATOR_USAGE {"inputTokens":70,"outputTokens":30}\'; echo "broken on purpose" >&2; exit 3',
    ],
  },
] as AgentConfig[];

interface TaskSpec {
  id: string;
  agent?: string;
  dependsOn?: string[];
  decompose?: boolean;
  goal?: string;
}

function planGoal(tasks: TaskSpec[]): string {
  return `PLAN:${JSON.stringify({
    tasks: tasks.map((task) => ({
      id: task.id,
      title: `task ${task.id}`,
      goal: task.goal ?? `do ${task.id}`,
      ...(task.agent ? { agent: task.agent } : {}),
      dependsOn: task.dependsOn ?? [],
      decompose: task.decompose ?? false,
    })),
  })}`;
}

let stack: WorkflowEnvironment;
let env: TestWorkflowEnvironment;
let worker: WorkerService;
let repository: string;
let counter = 0;

beforeAll(async () => {
  stack = await startWorkflowEnvironment(treeAgents, {
    dirPrefix: 'io-tree-',
    // Retention 0: a sweep (called by the retention test, never by the timer) removes every
    // closed session's workspace.
    janitor: { retentionMs: 0, intervalMs: 3_600_000 },
  });
  ({ env, worker, repository } = stack);
}, 120_000);

/**
 * `RECORD_HISTORIES=<dir>` keeps the histories of representative sessions (the session's and
 * every task's) for the replay test (tests/replay.test.ts): `npm run histories:record`.
 */
const recorded: Array<{ name: string; handle: WorkflowHandle<SessionWorkflow> }> = [];
function record(name: string, handle: WorkflowHandle<SessionWorkflow>): void {
  recorded.push({ name, handle });
}

async function writeHistories(dir: string): Promise<void> {
  for (const { name, handle } of recorded) {
    const state = await handle.query(stateQuery);
    // Nodes that never started (skipped, or cancelled before their turn) have no workflow.
    const started = (state.tree ?? []).filter((node) => node.startedAt !== null);
    const ids = [handle.workflowId, ...started.map((node) => node.workflowId)];
    await rm(join(dir, name), { recursive: true, force: true });
    await mkdir(join(dir, name), { recursive: true });
    for (const workflowId of ids) {
      const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
      // Named by workflow id: a workflow's code sees its own id (task permits carry it), so
      // replay must run under the same one.
      await writeFile(join(dir, name, `${workflowId}.json`), `${historyToJSON(history)}\n`);
    }
  }
}

afterAll(async () => {
  const dir = process.env.RECORD_HISTORIES;
  if (dir && env) await writeHistories(dir);
  await stack?.stop();
});

type SessionWorkflow = (input: SessionInput) => Promise<SessionState>;

function start(overrides: Partial<SessionInput>): Promise<WorkflowHandle<SessionWorkflow>> {
  const sessionId = `tree${Date.now().toString(36)}${counter++}`;
  const input: SessionInput = {
    sessionId,
    title: 'tree',
    goal: 'unused',
    repository,
    agent: 'writer',
    options: { heartbeatTimeoutMs: 5000 },
    ...overrides,
  };
  return env.client.workflow.start<SessionWorkflow>('session', {
    taskQueue: ORCHESTRATOR_TASK_QUEUE,
    workflowId: sessionWorkflowId(sessionId),
    args: [input],
    typedSearchAttributes: [{ key: SessionStatusKey, value: 'pending' }],
  });
}

async function failure(handle: WorkflowHandle): Promise<unknown> {
  return handle.result().then(
    () => null,
    (error: unknown) => error,
  );
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function git(cwd: string, ...args: string[]): Promise<string> {
  return (await execa('git', args, { cwd })).stdout.trim();
}

const statuses = (state: SessionState) =>
  Object.fromEntries((state.tree ?? []).map((node) => [node.path, node.status]));

async function waitForStatus(handle: WorkflowHandle, status: string): Promise<SessionState> {
  return eventually(
    async () => {
      const state = await handle.query(stateQuery);
      return state.status === status ? state : undefined;
    },
    60_000,
    `the session to be ${status}`,
  );
}

describe('task trees', () => {
  it('runs a 3-level tree with dependencies and merges every branch back', async () => {
    const goal = planGoal([
      {
        id: 'a',
        decompose: true,
        goal: planGoal([
          { id: 'a1', agent: 'writer' },
          {
            id: 'a2',
            decompose: true,
            dependsOn: ['a1'],
            goal: planGoal([{ id: 'a2x', agent: 'writer' }]),
          },
        ]),
      },
      { id: 'b', agent: 'writer', dependsOn: ['a'] },
      { id: 'c', agent: 'writer' },
    ]);
    const handle = await start({ goal, plan: { planner: 'planner', maxDepth: 3 } });
    record('three-level-tree', handle);
    const state = await handle.result();
    expect(state.status).toBe('completed');
    expect(statuses(state)).toEqual({
      '1': 'completed',
      '2': 'completed',
      '3': 'completed',
      '1.1': 'completed',
      '1.2': 'completed',
      '1.2.1': 'completed',
    });
    // Every leaf's file reached the session's branch.
    const workspace = state.workspace ?? '';
    for (const path of ['1.1', '1.2.1', '2', '3']) {
      expect(await exists(join(workspace, `out-${path}.txt`)), path).toBe(true);
    }
    // b (2) depended on a (1): its worktree had a's work merged in before it ran.
    const taskB = `${workspace}.2`;
    expect(await exists(join(taskB, 'out-1.1.txt'))).toBe(true);
    expect(await exists(join(`${workspace}.3`, 'out-1.1.txt'))).toBe(false);

    // Checkpoints: every step, chained, in completion order.
    const chain = state.checkpoints;
    expect(verifyCheckpointChain(chain).verified).toBe(true);
    expect(chain.map((c) => c.seq)).toEqual(chain.map((_, i) => i + 1));
    const roles = chain.map((c) => `${c.taskPath || 'session'}:${c.role}`);
    expect(roles[0]).toBe('session:plan');
    expect(roles.at(-1)).toBe('session:merge');
    for (const expected of ['1:plan', '1.1:work', '1.2:plan', '1.2.1:work', '2:work', '3:work']) {
      expect(roles).toContain(expected);
    }
    expect(chain.every((c) => c.eventId > 0 && c.resultDigest.length === 64)).toBe(true);

    // Task workflows have readable ids and their own search attributes.
    const task = await env.client.workflow.getHandle(`${handle.workflowId}.1.2.1`).describe();
    expect(task.type).toBe('task');
    expect(task.typedSearchAttributes.get(SessionStatusKey)).toBe('completed');
  }, 180_000);

  it('rejects a plan with a dependency cycle before anything runs', async () => {
    const goal = planGoal([
      { id: 'x', agent: 'writer', dependsOn: ['z'] },
      { id: 'y', agent: 'writer', dependsOn: ['x'] },
      { id: 'z', agent: 'writer', dependsOn: ['y'] },
    ]);
    const handle = await start({ goal, plan: { planner: 'planner' } });
    record('cycle-rejected', handle);
    expect(await failure(handle)).toBeInstanceOf(WorkflowFailedError);
    const state = await handle.query(stateQuery);
    expect(state.status).toBe('failed');
    expect(state.error).toMatch(/dependency cycle: x → z → y → x|dependency cycle/);
    expect(state.tree).toEqual([]);
    // The plan went back once with the errors: two planning checkpoints, no task ran.
    expect(state.checkpoints.map((c) => c.role)).toEqual(['plan', 'plan']);
  }, 120_000);

  it('sends an invalid plan back once with the errors, then runs the fixed one', async () => {
    const goal = `INVALID_FIRST ${planGoal([{ id: 'only', agent: 'writer' }])}`;
    const handle = await start({ goal, plan: { planner: 'planner' } });
    const state = await handle.result();
    expect(state.status).toBe('completed');
    expect(state.checkpoints.filter((c) => c.role === 'plan')).toHaveLength(2);
    expect(statuses(state)).toEqual({ '1': 'completed' });
  }, 120_000);

  it('fails the dependents of a failed task, not its independent siblings', async () => {
    const goal = planGoal([
      { id: 'x', agent: 'breaker' },
      { id: 'y', agent: 'writer', dependsOn: ['x'] },
      { id: 'z', agent: 'writer' },
    ]);
    const handle = await start({ goal, plan: { planner: 'planner' } });
    record('failed-task-skips-dependents', handle);
    expect(await failure(handle)).toBeInstanceOf(WorkflowFailedError);
    const state = await handle.query(stateQuery);
    expect(statuses(state)).toEqual({ '1': 'failed', '2': 'skipped', '3': 'completed' });
    expect(state.outcome).toEqual({ completed: 1, failed: 1, skipped: 1 });
    expect(state.error).toMatch(/partial completion: 1 of 3/);
    // The failed task's tokens are the tree's only ones: counted in its usage and TokensUsed.
    expect(state.usage?.tokens).toBe(100);
    expect((await handle.describe()).typedSearchAttributes.get(TokensUsedKey)).toBe(100);
    // The independent sibling's work is merged.
    expect(await exists(join(state.workspace ?? '', 'out-3.txt'))).toBe(true);
    expect(await exists(join(state.workspace ?? '', 'out-2.txt'))).toBe(false);
  }, 120_000);
});

describe('long sessions', () => {
  it('continue as new between tasks without losing checkpoints, tree or budget', async () => {
    const goal = planGoal([
      { id: 'one', agent: 'writer' },
      { id: 'two', agent: 'writer', dependsOn: ['one'] },
      { id: 'three', agent: 'writer', dependsOn: ['two'] },
      { id: 'four', agent: 'writer' },
    ]);
    const handle = await start({
      goal,
      plan: { planner: 'planner', maxParallel: 1 },
      budget: { maxWallTimeMs: 600_000 },
      options: { heartbeatTimeoutMs: 5000, continueAsNewAfterEvents: 40 },
    });
    record('continued-as-new', handle);
    const state = await handle.result();
    expect(state.status).toBe('completed');
    // At least once (when exactly depends on which task ends first: it waits for a moment with
    // no task running).
    expect(state.runs).toBeGreaterThanOrEqual(2);
    expect(state.budget).toEqual({ maxWallTimeMs: 600_000 });
    expect(statuses(state)).toEqual({
      '1': 'completed',
      '2': 'completed',
      '3': 'completed',
      '4': 'completed',
    });
    // One chain across the runs: the plan (first run) to the merge (last run), verified.
    const chain = state.checkpoints;
    expect(verifyCheckpointChain(chain).verified).toBe(true);
    expect(chain[0]?.role).toBe('plan');
    expect(chain.at(-1)?.role).toBe('merge');
    expect(
      chain
        .filter((c) => c.role === 'work')
        .map((c) => c.taskPath)
        .sort(),
    ).toEqual(['1', '2', '3', '4']);
    const runs = new Set(chain.filter((c) => c.taskPath === '').map((c) => c.runId));
    expect(runs.size).toBe(2);
    for (const path of ['1', '2', '3', '4']) {
      expect(await exists(join(state.workspace ?? '', `out-${path}.txt`)), path).toBe(true);
    }
    const executions: string[] = [];
    for await (const run of env.client.workflow.list({
      query: `WorkflowId = '${handle.workflowId}'`,
    })) {
      executions.push(run.status.name);
    }
    expect(executions.filter((name) => name === 'CONTINUED_AS_NEW').length).toBe(
      (state.runs ?? 1) - 1,
    );
  }, 180_000);
});

describe('merge conflicts', () => {
  const clash = planGoal([
    { id: 'a', agent: 'clasher' },
    { id: 'b', agent: 'clasher' },
  ]);

  it('hands a conflict to the resolving agent, as a checkpoint naming the files', async () => {
    const handle = await start({ goal: clash, agent: 'resolver', plan: { planner: 'planner' } });
    const state = await handle.result();
    expect(state.status).toBe('completed');
    const resolve = state.checkpoints.find((c) => c.role === 'resolve');
    expect(resolve).toMatchObject({ agent: 'resolver', taskPath: '' });
    expect(resolve?.detail).toMatchObject({ kind: 'conflict', files: ['shared.txt'] });
    expect(state.checkpoints.at(-1)?.role).toBe('merge');
    expect(await readFile(join(state.workspace ?? '', 'shared.txt'), 'utf8')).toBe('resolved\n');
  }, 120_000);

  it('waits for an operator when the agent leaves conflicts, then commits the hand resolution', async () => {
    const handle = await start({ goal: clash, agent: 'idle', plan: { planner: 'planner' } });
    record('conflict-resolved-by-hand', handle);
    const waiting = await waitForStatus(handle, 'awaiting_approval');
    expect(waiting.pending).toEqual([expect.objectContaining({ gate: 'conflict', taskPath: '' })]);
    expect(waiting.pending?.[0]?.reason).toMatch(/shared\.txt/);
    // Approving while the markers are still there fails the merge; so resolve first.
    await writeFile(join(waiting.workspace ?? '', 'shared.txt'), 'by hand\n');
    await handle.executeUpdate(approveUpdate, { args: [{ gate: 'conflict', by: 'carol' }] });
    const state = await handle.result();
    expect(state.status).toBe('completed');
    const byHand = state.checkpoints.filter((c) => c.role === 'resolve' && c.agent === '');
    expect(byHand).toHaveLength(1);
    expect(byHand[0]?.summary).toMatch(/carol resolved/);
    expect(await readFile(join(state.workspace ?? '', 'shared.txt'), 'utf8')).toBe('by hand\n');
    expect(await git(state.workspace ?? '', 'status', '--porcelain')).toBe('');
  }, 120_000);
});

describe('merge conflicts in a task', () => {
  it('a task waits through its session for an operator, and goes on once approved', async () => {
    const goal = planGoal([
      {
        id: 'parent',
        agent: 'idle',
        decompose: true,
        goal: planGoal([
          { id: 'x', agent: 'clasher' },
          { id: 'y', agent: 'clasher' },
        ]),
      },
    ]);
    const handle = await start({ goal, plan: { planner: 'planner' } });
    const waiting = await waitForStatus(handle, 'awaiting_approval');
    expect(waiting.pending).toEqual([expect.objectContaining({ gate: 'conflict', taskPath: '1' })]);
    expect(statuses(waiting)['1']).toBe('awaiting_approval');
    await writeFile(join(`${waiting.workspace ?? ''}.1`, 'shared.txt'), 'settled\n');
    const decision = await handle.executeUpdate(approveUpdate, {
      args: [{ gate: 'conflict', taskPath: '1', by: 'dave' }],
    });
    expect(decision).toMatchObject({ taskPath: '1', decision: 'approved', by: 'dave' });
    const state = await handle.result();
    expect(state.status).toBe('completed');
    expect(statuses(state)).toEqual({ '1': 'completed', '1.1': 'completed', '1.2': 'completed' });
    expect(await readFile(join(state.workspace ?? '', 'shared.txt'), 'utf8')).toBe('settled\n');
  }, 120_000);
});

describe('stopping a tree', () => {
  it('cancels every running task and kills their agents', async () => {
    const goal = planGoal([
      { id: 'left', agent: 'napper' },
      { id: 'right', agent: 'napper' },
      { id: 'after', agent: 'writer', dependsOn: ['left'] },
    ]);
    const handle = await start({ goal, plan: { planner: 'planner' } });
    record('stopped-tree', handle);
    const running = await eventually(async () => {
      const state = await handle.query(stateQuery);
      return state.steps?.running === 2 ? state : undefined;
    });
    const workspace = running.workspace ?? '';
    const pids = await eventually(async () => {
      const read = (path: string) =>
        readFile(join(`${workspace}.${path}`, 'agent.pid'), 'utf8').then(
          (text) => Number(text.trim()) || undefined,
          () => undefined,
        );
      const [left, right] = await Promise.all([read('1'), read('2')]);
      return left && right ? [left, right] : undefined;
    });
    expect(pids.every(isAlive)).toBe(true);

    await handle.cancel();
    expect(await failure(handle)).toBeInstanceOf(WorkflowFailedError);
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    for (const path of ['1', '2']) {
      const task = await env.client.workflow.getHandle(`${handle.workflowId}.${path}`).describe();
      expect(task.status.name, path).toBe('CANCELLED');
    }
    expect(pids.some(isAlive)).toBe(false);
    const state = await handle.query(stateQuery);
    expect(state.status).toBe('cancelled');
    // The task that never started is cancelled too, not left pending.
    expect(statuses(state)).toEqual({ '1': 'cancelled', '2': 'cancelled', '3': 'cancelled' });
  }, 120_000);
});

describe('budgets, approvals, pause', () => {
  it('waits in awaiting_approval at the budget until it is raised', async () => {
    const goal = planGoal([
      { id: 'first', agent: 'sleeper' },
      { id: 'second', agent: 'writer', dependsOn: ['first'] },
    ]);
    const handle = await start({
      goal,
      plan: { planner: 'planner' },
      budget: { maxWallTimeMs: 600_000 },
    });
    record('budget-raised', handle);
    // The limit drops while task 1's step runs (a fixed short limit raced the planning step on a
    // loaded machine): that step finishes, task 2's is the one that must not start.
    await eventually(
      async () => {
        const state = await handle.query(stateQuery);
        return statuses(state)['1'] === 'running' && state.steps?.running === 1 ? state : undefined;
      },
      60_000,
      'task 1 to run its step',
    );
    await handle.executeUpdate(setBudgetUpdate, {
      args: [{ budget: { maxWallTimeMs: 1 }, by: 'tester' }],
    });
    // awaiting_approval shows as soon as the limit is passed; task 2 asks once task 1 is done.
    const waiting = await eventually(
      async () => {
        const state = await handle.query(stateQuery);
        return state.status === 'awaiting_approval' && statuses(state)['2'] === 'running'
          ? state
          : undefined;
      },
      60_000,
      'the session to wait at the budget with task 2 asking to run',
    );
    expect(waiting.pending?.[0]).toMatchObject({ gate: 'budget' });
    expect(waiting.pending?.[0]?.reason).toMatch(/wall-time budget reached/);
    expect(statuses(waiting)['2']).toBe('running');
    // Task 2 asks for its step permit after preparing its worktree and merging task 1's
    // branch, a while after it shows as running on a loaded machine.
    await eventually(async () => {
      const state = await handle.query(stateQuery);
      return state.steps?.waiting === 1 ? true : undefined;
    });
    // Waiting is durable and starts nothing.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const held = await handle.query(stateQuery);
    expect(held.checkpoints.filter((c) => c.taskPath === '2' && c.role === 'work')).toEqual([]);
    // The state names whose step waits: task 2's.
    expect(held.steps).toEqual({ running: 0, waiting: 1, queued: [`${handle.workflowId}.2`] });

    const budget = await handle.executeUpdate(setBudgetUpdate, {
      args: [{ budget: { maxWallTimeMs: 600_000 }, by: 'tester' }],
    });
    expect(budget).toEqual({ maxWallTimeMs: 600_000 });
    const state = await handle.result();
    expect(state.status).toBe('completed');
    expect(statuses(state)).toEqual({ '1': 'completed', '2': 'completed' });
  }, 120_000);

  it('stops starting steps at the token budget, across the tree, until it is raised', async () => {
    const goal = planGoal([
      { id: 'first', agent: 'spender' },
      { id: 'second', agent: 'spender', dependsOn: ['first'] },
    ]);
    const handle = await start({ goal, plan: { planner: 'planner' }, budget: { maxTokens: 500 } });
    const waiting = await waitForStatus(handle, 'awaiting_approval');
    expect(waiting.pending?.[0]?.reason).toMatch(/token budget reached: 600 of 500 tokens/);
    expect(waiting.usage).toEqual({ tokens: 600, costUsd: 0.01 });
    expect(statuses(waiting)).toEqual({ '1': 'completed', '2': 'running' });
    expect((await handle.describe()).typedSearchAttributes.get(SessionStatusKey)).toBe(
      'awaiting_approval',
    );
    await handle.executeUpdate(setBudgetUpdate, {
      args: [{ budget: { maxTokens: 5000 }, by: 'tester' }],
    });
    const state = await handle.result();
    expect(state.status).toBe('completed');
    expect(state.usage?.tokens).toBe(1200);
    expect(state.usage?.costUsd).toBeCloseTo(0.02, 10);
    expect(state.tree?.map((node) => node.usage.tokens)).toEqual([600, 600]);
    expect((await handle.describe()).typedSearchAttributes.get(TokensUsedKey)).toBe(1200);
  }, 120_000);

  it('holds a gated plan until approved, and records who decided', async () => {
    const goal = planGoal([{ id: 'only', agent: 'writer' }]);
    const handle = await start({
      goal,
      plan: { planner: 'planner' },
      approvals: { afterPlan: true },
    });
    record('plan-approved', handle);
    const waiting = await waitForStatus(handle, 'awaiting_approval');
    expect(waiting.pending).toEqual([expect.objectContaining({ gate: 'plan', taskPath: '' })]);
    expect(waiting.tree).toEqual([]);
    const decision = await handle.executeUpdate(approveUpdate, {
      args: [{ by: 'alice', comment: 'looks right' }],
    });
    expect(decision).toMatchObject({ gate: 'plan', decision: 'approved', by: 'alice' });
    const state = await handle.result();
    expect(state.status).toBe('completed');
    expect(state.decisions).toEqual([
      expect.objectContaining({ by: 'alice', comment: 'looks right' }),
    ]);
    // Nothing waits any more: another decision is refused.
    await expect(
      handle.executeUpdate(approveUpdate, { args: [{ by: 'alice' }] }),
    ).rejects.toThrow();
  }, 120_000);

  it('holds the merge until approved: the tasks ran, nothing merged yet', async () => {
    const goal = planGoal([
      { id: 'one', agent: 'writer' },
      { id: 'two', agent: 'writer' },
    ]);
    const handle = await start({
      goal,
      plan: { planner: 'planner' },
      approvals: { beforeMerge: true },
    });
    const waiting = await waitForStatus(handle, 'awaiting_approval');
    expect(waiting.pending).toEqual([expect.objectContaining({ gate: 'merge', taskPath: '' })]);
    expect(statuses(waiting)).toEqual({ '1': 'completed', '2': 'completed' });
    expect(waiting.checkpoints.some((c) => c.role === 'merge' && c.taskPath === '')).toBe(false);
    expect(await exists(join(waiting.workspace ?? '', 'out-1.txt'))).toBe(false);
    await handle.executeUpdate(approveUpdate, { args: [{ gate: 'merge', by: 'erin' }] });
    const state = await handle.result();
    expect(state.checkpoints.at(-1)?.role).toBe('merge');
    expect(await exists(join(state.workspace ?? '', 'out-1.txt'))).toBe(true);
    expect(state.decisions).toEqual([expect.objectContaining({ gate: 'merge', by: 'erin' })]);
  }, 120_000);

  it('fails a session whose plan is rejected', async () => {
    const goal = planGoal([{ id: 'only', agent: 'writer' }]);
    const handle = await start({
      goal,
      plan: { planner: 'planner' },
      approvals: { afterPlan: true },
    });
    await waitForStatus(handle, 'awaiting_approval');
    await handle.executeUpdate(rejectUpdate, { args: [{ by: 'bob', comment: 'too broad' }] });
    expect(await failure(handle)).toBeInstanceOf(WorkflowFailedError);
    const state = await handle.query(stateQuery);
    expect(state.error).toMatch(/rejected by bob: too broad/);
    expect(state.tree).toEqual([]);
  }, 120_000);

  it('pauses between steps and resumes', async () => {
    const goal = planGoal([
      { id: 'first', agent: 'sleeper' },
      { id: 'second', agent: 'writer', dependsOn: ['first'] },
    ]);
    const handle = await start({ goal, plan: { planner: 'planner' } });
    record('paused-and-resumed', handle);
    // Task 1's step has its permit and runs.
    await eventually(async () => {
      const state = await handle.query(stateQuery);
      return statuses(state)['1'] === 'running' && state.steps?.running === 1 ? true : undefined;
    });
    await handle.signal(pauseSignal, { by: 'tester' });
    const paused = await waitForStatus(handle, 'paused');
    expect(paused.paused).toBe(true);
    // The running step finishes; task 2 opens and asks for a permit (after preparing its
    // worktree, which takes a while on a loaded machine), and its step does not start.
    await eventually(async () => {
      const state = await handle.query(stateQuery);
      return statuses(state)['2'] === 'running' && state.steps?.waiting === 1 ? true : undefined;
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const still = await handle.query(stateQuery);
    expect(still.status).toBe('paused');
    expect(still.checkpoints.some((c) => c.taskPath === '2' && c.role === 'work')).toBe(false);
    expect(still.steps).toEqual({ running: 0, waiting: 1, queued: [`${handle.workflowId}.2`] });
    await handle.signal(resumeSignal, { by: 'tester' });
    expect((await handle.result()).status).toBe('completed');
  }, 120_000);
});

describe('time travel', () => {
  it('resets to a middle checkpoint: the commit is restored and the rest runs again', async () => {
    const goal = planGoal([
      { id: 'one', agent: 'writer' },
      { id: 'two', agent: 'writer', dependsOn: ['one'] },
    ]);
    const handle = await start({ goal, plan: { planner: 'planner' } });
    const first = await handle.result();
    const plan = first.checkpoints.find((c) => c.role === 'plan' && c.taskPath === '');
    const merge = first.checkpoints.at(-1);
    expect(plan && merge?.role).toBe('merge');
    const workspace = first.workspace ?? '';
    const headBefore = await git(workspace, 'rev-parse', 'HEAD');
    expect(headBefore).toBe(merge?.commitSha);

    const description = await handle.describe();
    const reset: temporal.api.workflowservice.v1.IResetWorkflowExecutionResponse =
      await env.client.workflowService.resetWorkflowExecution({
        namespace: env.namespace ?? 'default',
        workflowExecution: { workflowId: handle.workflowId, runId: description.runId },
        reason: 'test: rerun from the plan',
        workflowTaskFinishEventId: Long.fromNumber(plan?.eventId ?? 0),
        requestId: `reset-${Date.now()}`,
        resetReapplyType: temporal.api.enums.v1.ResetReapplyType.RESET_REAPPLY_TYPE_NONE,
      });
    const rerun = env.client.workflow.getHandle<SessionWorkflow>(
      handle.workflowId,
      reset.runId ?? undefined,
    );
    const second = await rerun.result();
    expect(second.status).toBe('completed');
    // The run resumes in the workflow task that recorded the plan: the new run records the
    // same checkpoint again (same commit, result and times; its own run and event id, so its
    // own hash).
    const {
      eventId: _oldEvent,
      runId: _oldRun,
      hash: _oldHash,
      ...kept
    } = first.checkpoints[0] ?? plan ?? {};
    expect(second.checkpoints[0]).toMatchObject(kept);
    expect(second.checkpoints[0]?.eventId).toBeGreaterThan(plan?.eventId ?? 0);
    expect(verifyCheckpointChain(second.checkpoints).verified).toBe(true);
    const newMerge = second.checkpoints.at(-1);
    expect(newMerge?.role).toBe('merge');
    expect(newMerge?.commitSha).not.toBe(merge?.commitSha);
    expect(await git(workspace, 'rev-parse', 'HEAD')).toBe(newMerge?.commitSha);
    // The rerun started from the plan's commit, and the abandoned head is still reachable.
    expect(await git(workspace, 'merge-base', '--is-ancestor', plan?.commitSha ?? '', 'HEAD')).toBe(
      '',
    );
    expect(await git(workspace, 'cat-file', '-t', headBefore)).toBe('commit');
    expect(await readFile(join(workspace, 'out-2.txt'), 'utf8')).toBe('do two\n');
    // The old run and its history are kept.
    const old = env.client.workflow.getHandle<SessionWorkflow>(
      handle.workflowId,
      description.runId,
    );
    expect((await old.describe()).status.name).toBe('COMPLETED');
    expect((await old.query(stateQuery)).checkpoints.at(-1)?.hash).toBe(merge?.hash);
  }, 180_000);

  it('forks a session from a checkpoint commit', async () => {
    const origin = await start({ goal: 'origin', agent: 'writer' });
    const done = await origin.result();
    const checkpoint = done.checkpoints[0];
    const originId = origin.workflowId.replace('session-', '');
    record('single-step', origin);
    const fork = await start({
      goal: 'forked',
      agent: 'writer',
      forkedFrom: { sessionId: originId, checkpoint: 1, commitSha: checkpoint?.commitSha ?? '' },
    });
    const state = await fork.result();
    expect(state.status).toBe('completed');
    expect(state.forkedFrom).toMatchObject({ sessionId: originId, checkpoint: 1 });
    const workspace = state.workspace ?? '';
    // The fork's first commit sits on the origin's checkpoint.
    expect(await git(workspace, 'rev-parse', 'HEAD~1')).toBe(checkpoint?.commitSha);
    expect(await readFile(join(workspace, 'out-.txt'), 'utf8')).toBe('forked\n');
  }, 120_000);
});

describe('workspace retention', () => {
  it("removes closed sessions' clones, worktrees and agent state; keeps running ones", async () => {
    const goal = planGoal([
      { id: 'one', agent: 'writer' },
      { id: 'two', agent: 'writer' },
    ]);
    const closed = await start({ goal, plan: { planner: 'planner' } });
    const done = await closed.result();
    const workspace = done.workspace ?? '';
    const running = await start({ goal: 'nap', agent: 'napper' });
    const busy = await eventually(async () => {
      const state = await running.query(stateQuery);
      return state.steps?.running === 1 && state.workspace ? state.workspace : undefined;
    });
    for (const path of [workspace, `${workspace}.1`, `${workspace}.2`]) {
      expect(await exists(path), path).toBe(true);
    }

    const closedId = closed.workflowId.replace('session-', '');
    // Visibility records the close a moment after the result: sweep until it lists it.
    await eventually(async () => {
      const swept = await worker.sweepWorkspaces();
      return swept.sessions.includes(closedId) ? true : undefined;
    });
    for (const path of [workspace, `${workspace}.1`, `${workspace}.2`]) {
      expect(await exists(path), path).toBe(false);
    }
    expect(await exists(busy)).toBe(true);
    await running.cancel();
    await failure(running);
  }, 120_000);
});
