/**
 * The session workflow on a real Temporal dev server (TestWorkflowEnvironment.createLocal on the
 * provisioned CLI) with a real worker and the real activities (PGlite, in-process log bus).
 */
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import {
  ORCHESTRATOR_TASK_QUEUE,
  SessionStatusKey,
  sessionWorkflowId,
  stateQuery,
  type SessionInput,
} from '@orchestrator/workflows/client';
import type { AgentConfig } from '@orchestrator/activities/agents/types';
import type { Storage } from '@orchestrator/activities/storage';
import { sessionProcesses } from './support/agent-sessions.js';
import { isAlive, testAgents } from './support/agents.js';
import { eventually } from './support/stack.js';
import {
  startWorkflowEnvironment,
  type WorkflowEnvironment,
} from './support/workflow-environment.js';

/**
 * Starts a `sleep 300` in a session of its own (setsid: outside the agent's process group, as
 * a dev server or an agent's detached shell would be) and records its pid in the workspace.
 */
const DETACH_GRANDCHILD = `
const { spawn } = require('node:child_process');
const fs = require('node:fs');
fs.writeFileSync('agent.pid', String(process.pid));
const child = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
fs.writeFileSync('grandchild.pid', String(child.pid));
child.unref();
console.log('left a detached sleep running');
`;

const detachingAgents: AgentConfig[] = [
  {
    name: 'detacher',
    kind: 'command',
    description: 'leaves a detached grandchild in its own session and exits 0',
    command: ['node', '-e', DETACH_GRANDCHILD],
  },
  {
    name: 'flaky-exit',
    kind: 'command',
    description:
      'exits 3 on its first attempt and 0 on the next (a marker file outside the workspace)',
    command: [
      'sh',
      '-c',
      'm="$TMPDIR_FLAKY/io-flaky-$ORCHESTRATOR_SESSION_ID"; if [ -e "$m" ]; then rm -f "$m"; echo "second attempt"; else : > "$m"; echo "first attempt fails" >&2; exit 3; fi',
    ],
    env: { TMPDIR_FLAKY: tmpdir() },
    retryOnNonZeroExit: true,
  },
  {
    name: 'detach-and-wait',
    kind: 'command',
    description: 'leaves a detached grandchild in its own session, then waits to be stopped',
    command: ['node', '-e', `${DETACH_GRANDCHILD}; setInterval(() => {}, 1000);`],
  },
];

let stack: WorkflowEnvironment;
let env: TestWorkflowEnvironment;
let storage: Storage;
let repository: string;
let counter = 0;

beforeAll(async () => {
  stack = await startWorkflowEnvironment([...testAgents, ...detachingAgents], {
    dirPrefix: 'io-wf-',
  });
  ({ env, storage, repository } = stack);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

function startSession(agent: string): Promise<WorkflowHandle> {
  const sessionId = `wf${Date.now().toString(36)}${counter++}`;
  const input: SessionInput = {
    sessionId,
    title: `test ${agent}`,
    goal: `goal for ${agent}`,
    repository,
    agent,
    options: { heartbeatTimeoutMs: 5000 },
  };
  return env.client.workflow.start('session', {
    taskQueue: ORCHESTRATOR_TASK_QUEUE,
    workflowId: sessionWorkflowId(sessionId),
    args: [input],
    typedSearchAttributes: [{ key: SessionStatusKey, value: 'pending' }],
  });
}

/** The session's workspace, once the workflow has prepared it. */
async function workspaceOf(handle: WorkflowHandle): Promise<string> {
  const state = await eventually(async () => {
    const s = await handle.query(stateQuery);
    return s.workspace ? s : undefined;
  });
  return state.workspace ?? '';
}

/** The highest attempt any activity of the session started with. */
async function highestAttempt(handle: WorkflowHandle): Promise<number> {
  const history = await handle.fetchHistory();
  const started = history.events?.filter((e) => e.activityTaskStartedEventAttributes) ?? [];
  return Math.max(...started.map((e) => e.activityTaskStartedEventAttributes?.attempt ?? 1));
}

describe('session workflow', () => {
  it('runs the agent, commits the workspace and records a checkpoint', async () => {
    const handle = await startSession('echo');
    const result = await handle.result();
    expect(result.status).toBe('completed');
    expect(result.checkpoints).toHaveLength(1);
    const [checkpoint] = result.checkpoints;
    expect(checkpoint?.exitCode).toBe(0);
    expect(checkpoint?.changed).toBe(true);
    expect(checkpoint?.commitSha).toMatch(/^[0-9a-f]{40}$/);
    expect(checkpoint?.summary).toContain('all done');
    expect(await readFile(join(result.workspace ?? '', 'goal.txt'), 'utf8')).toBe(
      'goal for echo\n',
    );

    const description = await handle.describe();
    expect(description.status.name).toBe('COMPLETED');
    expect(description.typedSearchAttributes.get(SessionStatusKey)).toBe('completed');

    // Logs went to the bus and the archive, not into history.
    const sessionId = handle.workflowId.replace('session-', '');
    const lines = await storage.archive.list(sessionId, { limit: 100 });
    const stdout = lines.filter((l) => l.stream === 'stdout').map((l) => l.line);
    expect(stdout.slice(0, 20)).toEqual(Array.from({ length: 20 }, (_, i) => `line ${i + 1}`));
    expect(lines.some((l) => l.stream === 'stderr' && l.line === 'warning on stderr')).toBe(true);
    const history = await handle.fetchHistory();
    expect(JSON.stringify(history)).not.toContain('warning on stderr');
  });

  it('fails the session on a non-zero exit without retrying', async () => {
    const handle = await startSession('fail');
    const error = await handle.result().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const state = await handle.query(stateQuery);
    expect(state.status).toBe('failed');
    expect(state.error).toMatch(/exit(ed)? (with )?(code |status )?3/i);
    const description = await handle.describe();
    expect(description.status.name).toBe('FAILED');
    expect(description.typedSearchAttributes.get(SessionStatusKey)).toBe('failed');
    // Non-retryable: the agent ran once.
    expect(await highestAttempt(handle)).toBe(1);
  });

  it('retries a non-zero exit when the agent asks for it (retryOnNonZeroExit)', async () => {
    const handle = await startSession('flaky-exit');
    const state = await handle.result();
    expect(state.status).toBe('completed');
    // The last started activity is the agent step, on its second attempt.
    expect(await highestAttempt(handle)).toBe(2);
  });

  it('cancellation kills the agent process group and ends cancelled', async () => {
    const handle = await startSession('slow');
    const workspace = await workspaceOf(handle);
    const pids = await eventually(async () => {
      const agent = Number((await readFile(join(workspace, 'agent.pid'), 'utf8')).trim());
      const child = Number((await readFile(join(workspace, 'child.pid'), 'utf8')).trim());
      return agent && child ? { agent, child } : undefined;
    });
    expect(isAlive(pids.agent)).toBe(true);
    expect(isAlive(pids.child)).toBe(true);

    await handle.cancel();
    const error = await handle.result().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const description = await handle.describe();
    expect(description.status.name).toBe('CANCELLED');
    expect(description.typedSearchAttributes.get(SessionStatusKey)).toBe('cancelled');
    expect(await handle.query(stateQuery)).toMatchObject({ status: 'cancelled' });
    expect(isAlive(pids.agent)).toBe(false);
    expect(isAlive(pids.child)).toBe(false);
  });

  it('stops what the agent left running outside its process group once the step completes', async () => {
    const handle = await startSession('detacher');
    const result = await handle.result();
    expect(result.status).toBe('completed');
    const grandchild = Number(
      await readFile(join(result.workspace ?? '', 'grandchild.pid'), 'utf8'),
    );
    expect(grandchild).toBeGreaterThan(1);
    expect(isAlive(grandchild)).toBe(false);
    const sessionId = handle.workflowId.replace('session-', '');
    expect(sessionProcesses(sessionId)).toEqual([]);
    const lines = (await storage.archive.list(sessionId, { limit: 100 })).map((l) => l.line);
    expect(lines).toContain('■ stopped 1 processes the agent left running outside its group');
  });

  it('a cancelled session leaves no process behind, not even one in a session of its own', async () => {
    const handle = await startSession('detach-and-wait');
    const workspace = await workspaceOf(handle);
    const pids = await eventually(async () => {
      const read = (file: string) =>
        readFile(join(workspace, file), 'utf8').then(
          (text) => Number(text.trim()),
          () => 0,
        );
      const agent = await read('agent.pid');
      const grandchild = await read('grandchild.pid');
      return agent && grandchild ? { agent, grandchild } : undefined;
    });
    const sessionId = handle.workflowId.replace('session-', '');
    expect(isAlive(pids.grandchild)).toBe(true);
    expect(sessionProcesses(sessionId)).toEqual(
      expect.arrayContaining([pids.agent, pids.grandchild]),
    );

    await handle.cancel();
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    expect(isAlive(pids.agent)).toBe(false);
    expect(isAlive(pids.grandchild)).toBe(false);
    expect(sessionProcesses(sessionId)).toEqual([]);
  });
});
