/**
 * OpenCode sessions through the whole system: the gateway over HTTP, a real Temporal dev
 * server, Postgres, Redis, and worker processes (one is killed with SIGKILL mid-step), with the
 * real CLI against the scripted model server.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  agentStepResult,
  committedHello,
  expectHelloSession,
  expectResumeAfterWorkerKill,
  finishedSession,
  sessionLogLines,
  sessionProcesses,
  startAgentSession,
  useAgentSessionStack,
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
} from '../support/agents-model-server.js';

const KEY = `sk-oc-test-${randomBytes(16).toString('hex')}`;
/** OpenCode boots in seconds, far slower on a loaded machine. */
const SESSION_TIMEOUT_MS = 240_000;

const context = useAgentSessionStack({
  ensureCli: ensureOpenCodeCli,
  key: KEY,
  keyEnv: OPENCODE_TEST_KEY_ENV,
  agents: (cli, url) => [
    opencodeAgent('opencode', cli, url),
    opencodeAgent('opencode-stalls', cli, url, { stallTimeoutMs: 15_000 }),
  ],
  heartbeatTimeoutMs: 5000,
});

describe('opencode sessions (real CLI, scripted model, full stack)', () => {
  it(
    'completes a session whose model has OpenCode write a file: committed, usage recorded',
    async () => {
      const { id, checkpoint, result, lines } = await expectHelloSession(context, 'opencode', {
        key: KEY,
        timeoutMs: SESSION_TIMEOUT_MS,
        goal: 'greet',
      });
      expect(checkpoint.usage?.costUsd).toBeCloseTo(0.001065, 9);
      expect(result.agentSessionId).toMatch(/^ses_\w+$/);
      expect(lines).toContain(`[tool] write ${HELLO_FILE}`);
      expect(lines).toContain(`[file] created ${HELLO_FILE}`);
      expect(lines).toContain('[usage] in=220 out=27 cache_read=0 cache_write=0 cost=$0.001065');
      // The server and everything it started are gone.
      expect(sessionProcesses(id)).toEqual([]);
    },
    SESSION_TIMEOUT_MS,
  );

  it(
    'after kill -9 of the worker mid-step, a new worker resumes the same OpenCode session',
    async () => {
      await expectResumeAfterWorkerKill(context, 'opencode', {
        model: OPENCODE_TEST_MODEL,
        turnTimeoutMs: 180_000,
        heartbeatTimeoutMs: 30_000,
        sessionTimeoutMs: SESSION_TIMEOUT_MS,
      });
    },
    SESSION_TIMEOUT_MS * 2,
  );

  it(
    'a stalled model gets the agent aborted and the step retried, which then completes',
    async () => {
      const { stack, client } = context;
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
      expect(await committedHello(context, id, detail.checkpoints[0]!.commitSha)).toBe(
        HELLO_CONTENT,
      );
    },
    SESSION_TIMEOUT_MS,
  );
});
