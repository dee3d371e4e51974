/**
 * Claude Code sessions through the whole system: the gateway over HTTP, a real Temporal dev
 * server, Postgres, Redis, and worker processes (one is killed with SIGKILL mid-step), with the
 * real CLI against the scripted model server.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentStepResult } from '@orchestrator/activities/contracts';
import type { StepHeartbeat } from '@orchestrator/activities/agents/orphans';
import { git } from '@orchestrator/activities/workspace/git';
import { isAlive } from '../support/agents.js';
import {
  claudeAgent,
  claudeTranscript,
  ensureClaudeCodeCli,
  TEST_KEY_ENV,
} from '../support/agents-claude-code.js';
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

const KEY = `sk-ant-test-${randomBytes(16).toString('hex')}`;

let model: ScriptedModel;
let stack: Stack;
let worker: WorkerProcess;
let connection: Connection;
let client: Client;

beforeAll(async () => {
  const cli = await ensureClaudeCodeCli();
  model = await startScriptedModel({ apiKey: KEY });
  // The workers read the key from their environment (the stack passes process.env on).
  process.env[TEST_KEY_ENV] = KEY;
  stack = await startStack({
    agents: [claudeAgent('claude', cli, model.url)],
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
  delete process.env[TEST_KEY_ENV];
});

async function startSession(goal: string): Promise<string> {
  const response = await stack.api('/api/sessions', {
    method: 'POST',
    json: { title: 'claude code', goal, repository: stack.sampleRepository, agent: 'claude' },
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

interface SessionDetail {
  status: string;
  error: string | null;
  tokensUsed: number;
  checkpoints: Array<{
    commitSha: string;
    changed: boolean;
    summary: string;
    usage: { inputTokens: number; outputTokens: number } | null;
  }>;
}

async function finished(id: string, timeoutMs = 60_000): Promise<SessionDetail> {
  return eventually(
    async () => {
      const detail = (await (await stack.api(`/api/sessions/${id}`)).json()) as SessionDetail;
      return ['completed', 'failed', 'cancelled'].includes(detail.status) ? detail : undefined;
    },
    timeoutMs,
    `session ${id} to finish`,
  );
}

async function logLines(id: string): Promise<string[]> {
  const page = (await (await stack.api(`/api/sessions/${id}/logs?limit=1000`)).json()) as {
    items: Array<{ line: string }>;
  };
  return page.items.map((item) => item.line);
}

/** The agent step's result as Temporal recorded it (ActivityTaskCompleted). */
async function stepResult(id: string): Promise<AgentStepResult> {
  const history = await client.workflow.getHandle(`session-${id}`).fetchHistory();
  const results = (history.events ?? []).flatMap((event) => {
    const payload = event.activityTaskCompletedEventAttributes?.result?.payloads?.[0];
    if (!payload) return [];
    const value = defaultPayloadConverter.fromPayload<AgentStepResult | null>(payload);
    return value && typeof value === 'object' && 'commitSha' in value ? [value] : [];
  });
  expect(results).toHaveLength(1);
  return results[0]!;
}

/** Pids of processes started for a session (they carry its ORCHESTRATOR_SESSION_ID). */
function sessionProcesses(id: string): number[] {
  const marker = `ORCHESTRATOR_SESSION_ID=${id}`;
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(marker);
      } catch {
        return false;
      }
    })
    .filter(isAlive);
}

describe('claude-code sessions (real CLI, scripted model, full stack)', () => {
  it('completes a session whose model has Claude Code write a file: committed, usage recorded', async () => {
    const id = await startSession(scriptGoal('write-file', 'add a greeting'));
    const detail = await finished(id);
    expect(detail.error).toBeNull();
    expect(detail.status).toBe('completed');
    expect(detail.checkpoints).toHaveLength(1);
    const checkpoint = detail.checkpoints[0]!;
    expect(checkpoint).toMatchObject({ changed: true, summary: FINAL_TEXT });
    const workspace = `${stack.settings.workspacesDir}/${id}`;
    const file = await git(['show', `${checkpoint.commitSha}:${HELLO_FILE}`], { cwd: workspace });
    expect(`${file.stdout}\n`).toBe(HELLO_CONTENT);

    // The usage is the checkpoint's, and the session's TokensUsed search attribute.
    expect(checkpoint.usage).toMatchObject({ inputTokens: 220, outputTokens: 27 });
    expect(detail.tokensUsed).toBe(247);
    const result = await stepResult(id);
    expect(result.usage).toMatchObject({ inputTokens: 220, outputTokens: 27 });
    expect(result.usage?.costUsd).toBeGreaterThan(0);
    expect(result.agentSessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.stringify(result)).not.toContain(KEY);

    const lines = await logLines(id);
    expect(lines).toContain(`[tool] Write ${HELLO_FILE}`);
    expect(lines).toContain(`[file] created ${HELLO_FILE}`);
    expect(lines).toContain('[usage] in=220 out=27 cache_read=0 cache_write=0 cost=$0.001065');
    expect(lines.join('\n')).not.toContain(KEY);
  });

  it('after kill -9 of the worker mid-step, a new worker resumes the same Claude session', async () => {
    const goal = scriptGoal('write-then-stall', 'greet, then think for a long time');
    const before = model.requests.length;
    const id = await startSession(goal);
    const ours = () => model.requests.slice(before);
    // Turn 1 wrote the file; turn 2 hangs at the model: the agent is mid-step.
    await eventually(async () => (ours().length >= 2 ? true : undefined), 60_000, 'turn 2');
    const handle = client.workflow.getHandle(`session-${id}`);
    const beat = await eventually(
      async () => {
        const description = await handle.describe();
        const payload = description.raw.pendingActivities?.[0]?.heartbeatDetails?.payloads?.[0];
        const details = payload
          ? defaultPayloadConverter.fromPayload<StepHeartbeat>(payload)
          : undefined;
        return details?.agentSessionId ? details : undefined;
      },
      20_000,
      'a heartbeat with the Claude session id',
    );
    const workspace = `${stack.settings.workspacesDir}/${id}`;
    await eventually(
      async () =>
        claudeTranscript(workspace, 'claude', beat.agentSessionId!).includes('tool_result')
          ? true
          : undefined,
      10_000,
      'turn 1 in the transcript',
    );
    const orphans = sessionProcesses(id);
    expect(orphans).toContain(beat.pgid);

    worker.child.kill('SIGKILL');
    await worker.child;
    worker = await stack.startWorkerProcess();

    const detail = await finished(id, 90_000);
    expect(detail.error).toBeNull();
    expect(detail.status).toBe('completed');
    // The new worker killed the orphaned CLI first, then resumed its conversation.
    for (const pid of orphans) expect(isAlive(pid), `orphan ${pid} still runs`).toBe(false);
    const result = await stepResult(id);
    expect(result.agentSessionId).toBe(beat.agentSessionId);
    expect(result.summary).toBe(FINAL_TEXT);
    const requests = ours();
    expect(requests).toHaveLength(3);
    expect(toolCallIds(requests[2]!)).toEqual(toolCallIds(requests[1]!));
    expect(toolCallIds(requests[2]!)).toHaveLength(1);
    const lines = await logLines(id);
    expect(lines).toContain(`[session] started ${beat.agentSessionId} (model claude-sonnet-4-5)`);
    expect(lines).toContain(`[session] resumed ${beat.agentSessionId} (model claude-sonnet-4-5)`);
    const file = await git(['show', `${detail.checkpoints[0]!.commitSha}:${HELLO_FILE}`], {
      cwd: workspace,
    });
    expect(`${file.stdout}\n`).toBe(HELLO_CONTENT);
  });
});
