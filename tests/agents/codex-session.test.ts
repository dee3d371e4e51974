/**
 * Codex sessions through the whole system: the gateway over HTTP, a real Temporal dev server,
 * Postgres, Redis, and worker processes (one is killed with SIGKILL mid-step), with the real
 * Codex CLI against the scripted model server.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  agentStepResult,
  expectHelloSession,
  expectResumeAfterWorkerKill,
  finishedSession,
  sessionLogLines,
  startAgentSession,
  useAgentSessionStack,
  workspaceOf,
} from '../support/agent-sessions.js';
import {
  codexAgent,
  codexRollout,
  CODEX_TEST_KEY_ENV,
  CODEX_TEST_MODEL,
  ensureCodexCli,
} from '../support/agents-codex.js';
import { FINAL_TEXT, scriptGoal, toolCallIds } from '../support/agents-model-server.js';
import { eventually } from '../support/stack.js';

const KEY = `sk-test-${randomBytes(16).toString('hex')}`;
const THREAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const context = useAgentSessionStack({
  ensureCli: ensureCodexCli,
  key: KEY,
  keyEnv: CODEX_TEST_KEY_ENV,
  agents: (cli, url) => [
    codexAgent('codex', cli, url),
    codexAgent('codex-stalls', cli, url, { stallTimeoutMs: 4000 }),
  ],
  heartbeatTimeoutMs: 3000,
});

/** The model requests made after this point (sessions here run one at a time). */
function requestsFromNow() {
  const before = context.model.requests.length;
  return () => context.model.requests.slice(before);
}

describe('codex sessions (real CLI, scripted model, full stack)', () => {
  it('completes a session whose model has Codex write a file: committed, usage recorded', async () => {
    const { result, lines } = await expectHelloSession(context, 'codex', {
      key: KEY,
      timeoutMs: 60_000,
    });
    expect(result.usage).toEqual({
      inputTokens: 220,
      outputTokens: 27,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      costUsd: null,
    });
    expect(result.agentSessionId).toMatch(THREAD_ID);
    expect(lines).toContain(
      `[session] started ${result.agentSessionId} (model ${CODEX_TEST_MODEL})`,
    );
    expect(lines).toContain(`[text] ${FINAL_TEXT}`);
    expect(lines).toContain('[usage] in=220 out=27 cache_read=0 cache_write=0 cost=unknown');
  });

  it('after kill -9 of the worker mid-step, a new worker resumes the same Codex thread', async () => {
    await expectResumeAfterWorkerKill(context, 'codex', {
      model: CODEX_TEST_MODEL,
      turnTimeoutMs: 60_000,
      heartbeatTimeoutMs: 20_000,
      sessionTimeoutMs: 90_000,
      midStep: async (id, beat) => {
        expect(beat.agentSessionId).toMatch(THREAD_ID);
        await eventually(
          async () =>
            (await codexRollout(workspaceOf(context, id), 'codex', beat.agentSessionId!)).includes(
              'function_call_output',
            )
              ? true
              : undefined,
          10_000,
          'turn 1 in the rollout',
        );
      },
    });
  });

  it('a stalled Codex is stopped and the retried step resumes its thread to completion', async () => {
    const { stack, client } = context;
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
