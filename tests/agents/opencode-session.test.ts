/**
 * OpenCode sessions through the whole system: the gateway over HTTP, a real Temporal dev
 * server, Postgres, Redis, and worker processes (one is killed with SIGKILL mid-step), with the
 * real CLI against the scripted model server.
 */
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '@orchestrator/activities/workspace/git';
import { isAlive } from '../support/agents.js';
import {
  agentStepResult,
  finishedSession,
  heartbeatWithAgentSession,
  sessionLogLines,
  sessionProcesses,
  startAgentSession,
} from '../support/agent-sessions.js';
import {
  ensureOpenCodeCli,
  OPENCODE_TEST_KEY_ENV,
  OPENCODE_TEST_MODEL,
  opencodeAgent,
} from '../support/agents-opencode.js';
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

const KEY = `sk-oc-test-${randomBytes(16).toString('hex')}`;
/** OpenCode boots in seconds, far slower on a loaded machine. */
const SESSION_TIMEOUT_MS = 240_000;

let model: ScriptedModel;
let stack: Stack;
let worker: WorkerProcess;
let connection: Connection;
let client: Client;

beforeAll(async () => {
  const cli = await ensureOpenCodeCli();
  model = await startScriptedModel({ apiKey: KEY });
  // The workers read the key from their environment (the stack passes process.env on).
  process.env[OPENCODE_TEST_KEY_ENV] = KEY;
  stack = await startStack({
    agents: [
      opencodeAgent('opencode', cli, model.url),
      opencodeAgent('opencode-stalls', cli, model.url, { stallTimeoutMs: 15_000 }),
    ],
    worker: 'none',
    heartbeatTimeoutMs: 5000,
  });
  worker = await stack.startWorkerProcess();
  connection = await Connection.connect({ address: stack.temporal.address });
  client = new Client({ connection });
});
afterAll(async () => {
  await connection?.close();
  await stack?.stop();
  await model?.stop();
  delete process.env[OPENCODE_TEST_KEY_ENV];
});

const workspaceOf = (id: string) => `${stack.settings.workspacesDir}/${id}`;

async function committedHello(id: string, commitSha: string): Promise<string> {
  const file = await git(['show', `${commitSha}:${HELLO_FILE}`], { cwd: workspaceOf(id) });
  return `${file.stdout}\n`;
}

describe('opencode sessions (real CLI, scripted model, full stack)', () => {
  it(
    'completes a session whose model has OpenCode write a file: committed, usage recorded',
    async () => {
      const id = await startAgentSession(stack, 'opencode', scriptGoal('write-file', 'greet'));
      const detail = await finishedSession(stack, id, SESSION_TIMEOUT_MS);
      expect(detail.error).toBeNull();
      expect(detail.status).toBe('completed');
      expect(detail.checkpoints).toHaveLength(1);
      const checkpoint = detail.checkpoints[0]!;
      expect(checkpoint).toMatchObject({ changed: true, summary: FINAL_TEXT });
      expect(await committedHello(id, checkpoint.commitSha)).toBe(HELLO_CONTENT);

      // The usage is the checkpoint's, and the session's TokensUsed search attribute.
      expect(checkpoint.usage).toMatchObject({ inputTokens: 220, outputTokens: 27 });
      expect(checkpoint.usage?.costUsd).toBeCloseTo(0.001065, 9);
      expect(detail.tokensUsed).toBe(247);
      const result = await agentStepResult(client, id);
      expect(result.usage).toMatchObject({ inputTokens: 220, outputTokens: 27 });
      expect(result.agentSessionId).toMatch(/^ses_\w+$/);
      expect(JSON.stringify(result)).not.toContain(KEY);

      const lines = await sessionLogLines(stack, id);
      expect(lines).toContain(`[tool] write ${HELLO_FILE}`);
      expect(lines).toContain(`[file] created ${HELLO_FILE}`);
      expect(lines).toContain('[usage] in=220 out=27 cache_read=0 cache_write=0 cost=$0.001065');
      expect(lines.join('\n')).not.toContain(KEY);
      // The server and everything it started are gone.
      expect(sessionProcesses(id)).toEqual([]);
    },
    SESSION_TIMEOUT_MS,
  );

  it(
    'after kill -9 of the worker mid-step, a new worker resumes the same OpenCode session',
    async () => {
      const goal = scriptGoal('write-then-stall', 'greet, then think for a long time');
      const before = model.requests.length;
      const id = await startAgentSession(stack, 'opencode', goal);
      const ours = () => model.requests.slice(before);
      // Turn 1 wrote the file; turn 2 hangs at the model: the agent is mid-step.
      await eventually(async () => (ours().length >= 2 ? true : undefined), 180_000, 'turn 2');
      const beat = await heartbeatWithAgentSession(client, id, 30_000);
      const orphans = sessionProcesses(id);
      expect(orphans).toContain(beat.pgid);

      worker.child.kill('SIGKILL');
      await worker.child.catch(() => undefined);
      worker = await stack.startWorkerProcess();

      const detail = await finishedSession(stack, id, SESSION_TIMEOUT_MS);
      expect(detail.error).toBeNull();
      expect(detail.status).toBe('completed');
      // The new worker killed the orphaned server first, then resumed its session.
      for (const pid of orphans) expect(isAlive(pid), `orphan ${pid} still runs`).toBe(false);
      const result = await agentStepResult(client, id);
      expect(result.agentSessionId).toBe(beat.agentSessionId);
      expect(result.summary).toBe(FINAL_TEXT);
      const requests = ours();
      expect(requests).toHaveLength(3);
      expect(toolCallIds(requests[2]!)).toEqual(toolCallIds(requests[1]!));
      expect(toolCallIds(requests[2]!)).toHaveLength(1);
      const lines = await sessionLogLines(stack, id);
      expect(lines).toContain(
        `[session] started ${beat.agentSessionId} (model ${OPENCODE_TEST_MODEL})`,
      );
      expect(lines).toContain(
        `[session] resumed ${beat.agentSessionId} (model ${OPENCODE_TEST_MODEL})`,
      );
      expect(await committedHello(id, detail.checkpoints[0]!.commitSha)).toBe(HELLO_CONTENT);
    },
    SESSION_TIMEOUT_MS * 2,
  );

  it(
    'a stalled model gets the agent aborted and the step retried, which then completes',
    async () => {
      const id = await startAgentSession(
        stack,
        'opencode-stalls',
        scriptGoal('stall-once', 'greet after a hiccup'),
      );
      const detail = await finishedSession(stack, id, SESSION_TIMEOUT_MS);
      expect(detail.error).toBeNull();
      expect(detail.status).toBe('completed');
      expect(detail.checkpoints).toHaveLength(1);
      const result = await agentStepResult(client, id);
      expect(result.summary).toBe(FINAL_TEXT);
      const lines = await sessionLogLines(stack, id);
      const stalled = lines.findIndex((l) =>
        /^■ stalled: no output for 15 s; aborting \(attempt 1\)$/.test(l),
      );
      const resumed = lines.indexOf(
        `[session] resumed ${result.agentSessionId} (model ${OPENCODE_TEST_MODEL})`,
      );
      expect(stalled).toBeGreaterThan(-1);
      expect(resumed).toBeGreaterThan(stalled);
      expect(await committedHello(id, detail.checkpoints[0]!.commitSha)).toBe(HELLO_CONTENT);
    },
    SESSION_TIMEOUT_MS,
  );
});
