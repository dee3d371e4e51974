/**
 * Codex sessions through the whole system: the gateway over HTTP, a real Temporal dev server,
 * Postgres, Redis, and worker processes (one is killed with SIGKILL mid-step), with the real
 * Codex CLI against the scripted model server.
 */
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '@orchestrator/activities/workspace/git';
import {
  agentStepResult,
  finishedSession,
  heartbeatWithAgentSession,
  sessionLogLines,
  sessionProcesses,
  startAgentSession,
} from '../support/agent-sessions.js';
import { isAlive } from '../support/agents.js';
import {
  codexAgent,
  codexRollout,
  CODEX_TEST_KEY_ENV,
  CODEX_TEST_MODEL,
  ensureCodexCli,
} from '../support/agents-codex.js';
import {
  FINAL_TEXT,
  HELLO_CONTENT,
  HELLO_FILE,
  scriptGoal,
  startScriptedModel,
  toolCallIds,
  type ScriptedModel,
} from '../support/agents-model-server.js';
import { eventually, startStack, type Stack, type WorkerProcess } from '../support/stack.js';

const KEY = `sk-test-${randomBytes(16).toString('hex')}`;
const THREAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let model: ScriptedModel;
let stack: Stack;
let worker: WorkerProcess;
let connection: Connection;
let client: Client;

beforeAll(async () => {
  const cli = await ensureCodexCli();
  model = await startScriptedModel({ apiKey: KEY });
  // The workers read the key from their environment (the stack passes process.env on).
  process.env[CODEX_TEST_KEY_ENV] = KEY;
  stack = await startStack({
    agents: [
      codexAgent('codex', cli, model.url),
      codexAgent('codex-stalls', cli, model.url, { stallTimeoutMs: 4000 }),
    ],
    worker: 'none',
    heartbeatTimeoutMs: 3000,
  });
  worker = await stack.startWorkerProcess();
  connection = await Connection.connect({ address: stack.temporal.address });
  client = new Client({ connection });
});
afterAll(async () => {
  await connection?.close();
  await stack?.stop();
  await model?.stop();
  delete process.env[CODEX_TEST_KEY_ENV];
});

const workspaceOf = (id: string) => `${stack.settings.workspacesDir}/${id}`;
/** The model requests made after this point (sessions here run one at a time). */
function requestsFromNow() {
  const before = model.requests.length;
  return () => model.requests.slice(before);
}

describe('codex sessions (real CLI, scripted model, full stack)', () => {
  it('completes a session whose model has Codex write a file: committed, usage recorded', async () => {
    const id = await startAgentSession(stack, 'codex', scriptGoal('write-file', 'add a greeting'));
    const detail = await finishedSession(stack, id, 60_000);
    expect(detail.error).toBeNull();
    expect(detail.status).toBe('completed');
    expect(detail.checkpoints).toHaveLength(1);
    const checkpoint = detail.checkpoints[0]!;
    expect(checkpoint).toMatchObject({ changed: true, summary: FINAL_TEXT });
    const file = await git(['show', `${checkpoint.commitSha}:${HELLO_FILE}`], {
      cwd: workspaceOf(id),
    });
    expect(`${file.stdout}\n`).toBe(HELLO_CONTENT);

    // The usage is the checkpoint's, and the session's TokensUsed search attribute.
    expect(checkpoint.usage).toMatchObject({ inputTokens: 220, outputTokens: 27 });
    expect(detail.tokensUsed).toBe(247);
    const result = await agentStepResult(client, id);
    expect(result.usage).toEqual({
      inputTokens: 220,
      outputTokens: 27,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      costUsd: null,
    });
    expect(result.agentSessionId).toMatch(THREAD_ID);
    expect(JSON.stringify(result)).not.toContain(KEY);

    const lines = await sessionLogLines(stack, id);
    expect(lines).toContain(
      `[session] started ${result.agentSessionId} (model ${CODEX_TEST_MODEL})`,
    );
    expect(lines).toContain(`[text] ${FINAL_TEXT}`);
    expect(lines).toContain('[usage] in=220 out=27 cache_read=0 cache_write=0 cost=unknown');
    expect(lines.join('\n')).not.toContain(KEY);
  });

  it('after kill -9 of the worker mid-step, a new worker resumes the same Codex thread', async () => {
    const ours = requestsFromNow();
    const id = await startAgentSession(
      stack,
      'codex',
      scriptGoal('write-then-stall', 'greet, then think for a long time'),
    );
    // Turn 1 wrote the file; turn 2 hangs at the model: the agent is mid-step.
    await eventually(async () => (ours().length >= 2 ? true : undefined), 60_000, 'turn 2');
    const beat = await heartbeatWithAgentSession(client, id, 20_000);
    expect(beat.agentSessionId).toMatch(THREAD_ID);
    await eventually(
      async () =>
        (await codexRollout(workspaceOf(id), 'codex', beat.agentSessionId!)).includes(
          'function_call_output',
        )
          ? true
          : undefined,
      10_000,
      'turn 1 in the rollout',
    );
    const orphans = sessionProcesses(id);
    expect(orphans).toContain(beat.pgid);

    worker.child.kill('SIGKILL');
    await worker.child;
    worker = await stack.startWorkerProcess();

    const detail = await finishedSession(stack, id, 90_000);
    expect(detail.error).toBeNull();
    expect(detail.status).toBe('completed');
    // The new worker killed the orphaned CLI first, then resumed its thread.
    for (const pid of orphans) expect(isAlive(pid), `orphan ${pid} still runs`).toBe(false);
    const result = await agentStepResult(client, id);
    expect(result.agentSessionId).toBe(beat.agentSessionId);
    expect(result.summary).toBe(FINAL_TEXT);
    const requests = ours();
    expect(requests).toHaveLength(3);
    expect(toolCallIds(requests[2]!)).toEqual(toolCallIds(requests[1]!));
    expect(toolCallIds(requests[2]!)).toHaveLength(1);
    const lines = await sessionLogLines(stack, id);
    expect(lines).toContain(`[session] started ${beat.agentSessionId} (model ${CODEX_TEST_MODEL})`);
    expect(lines).toContain(`[session] resumed ${beat.agentSessionId} (model ${CODEX_TEST_MODEL})`);
    const file = await git(['show', `${detail.checkpoints[0]!.commitSha}:${HELLO_FILE}`], {
      cwd: workspaceOf(id),
    });
    expect(`${file.stdout}\n`).toBe(HELLO_CONTENT);
  });

  it('a stalled Codex is stopped and the retried step resumes its thread to completion', async () => {
    const ours = requestsFromNow();
    const id = await startAgentSession(
      stack,
      'codex-stalls',
      scriptGoal('write-then-stall', 'greet, then go quiet'),
    );
    const detail = await finishedSession(stack, id, 90_000);
    expect(detail.error).toBeNull();
    expect(detail.status).toBe('completed');
    const result = await agentStepResult(client, id);
    expect(result.summary).toBe(FINAL_TEXT);
    // The retry finished the stalled attempt's thread: its tool call is in the last request.
    const requests = ours();
    expect(requests).toHaveLength(3);
    expect(toolCallIds(requests[2]!)).toEqual(toolCallIds(requests[1]!));
    // The checkpoint's usage is the finishing attempt's own turn.
    expect(detail.checkpoints[0]!.usage).toMatchObject({ inputTokens: 120, outputTokens: 7 });
    const lines = await sessionLogLines(stack, id);
    const thread = result.agentSessionId!;
    const stalled = lines.indexOf('■ stalled: no output for 4 s; aborting (attempt 1)');
    const resumed = lines.indexOf(`[session] resumed ${thread} (model ${CODEX_TEST_MODEL})`);
    expect(stalled, lines.join('\n')).toBeGreaterThan(
      lines.indexOf(`[session] started ${thread} (model ${CODEX_TEST_MODEL})`),
    );
    expect(resumed).toBeGreaterThan(stalled);
    expect(lines.indexOf(`[text] ${FINAL_TEXT}`)).toBeGreaterThan(resumed);
  });
});
