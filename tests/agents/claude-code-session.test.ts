/**
 * Claude Code sessions through the whole system: the gateway over HTTP, a real Temporal dev
 * server, Postgres, Redis, and worker processes (one is killed with SIGKILL mid-step), with the
 * real CLI against the scripted model server.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  expectHelloSession,
  expectResumeAfterWorkerKill,
  useAgentSessionStack,
  workspaceOf,
} from '../support/agent-sessions.js';
import {
  claudeAgent,
  claudeTranscript,
  ensureClaudeCodeCli,
  TEST_KEY_ENV,
} from '../support/agents-claude-code.js';
import { HELLO_FILE } from '../support/agents-model-server.js';
import { eventually } from '../support/stack.js';

const KEY = `sk-ant-test-${randomBytes(16).toString('hex')}`;

const context = useAgentSessionStack({
  ensureCli: ensureClaudeCodeCli,
  key: KEY,
  keyEnv: TEST_KEY_ENV,
  agents: (cli, url) => [claudeAgent('claude', cli, url)],
  heartbeatTimeoutMs: 3000,
});

describe('claude-code sessions (real CLI, scripted model, full stack)', () => {
  it('completes a session whose model has Claude Code write a file: committed, usage recorded', async () => {
    const { result, lines } = await expectHelloSession(context, 'claude', {
      key: KEY,
      timeoutMs: 60_000,
    });
    expect(result.usage?.costUsd).toBeGreaterThan(0);
    expect(result.agentSessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines).toContain(`[tool] Write ${HELLO_FILE}`);
    expect(lines).toContain(`[file] created ${HELLO_FILE}`);
    expect(lines).toContain('[usage] in=220 out=27 cache_read=0 cache_write=0 cost=$0.001065');
  });

  it('after kill -9 of the worker mid-step, a new worker resumes the same Claude session', async () => {
    await expectResumeAfterWorkerKill(context, 'claude', {
      model: 'claude-sonnet-4-5',
      turnTimeoutMs: 60_000,
      heartbeatTimeoutMs: 20_000,
      sessionTimeoutMs: 90_000,
      // The transcript (what --resume reads) holds turn 1 before the worker dies.
      midStep: (id, beat) =>
        eventually(
          async () =>
            claudeTranscript(workspaceOf(context, id), 'claude', beat.agentSessionId!).includes(
              'tool_result',
            )
              ? true
              : undefined,
          10_000,
          'turn 1 in the transcript',
        ),
    });
  });
});
