/**
 * The opencode adapter on the real OpenCode CLI (installed by the test setup) against a
 * scripted OpenAI-compatible model server on 127.0.0.1, through the runAgentStep activity in
 * Temporal's MockActivityEnvironment, with real Postgres (archive), git workspaces and
 * processes. OpenCode runs as `opencode serve`; the adapter drives it over its HTTP API.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CancelledFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { processGroupMembers } from '@orchestrator/activities/agents/process-group';
import { isRunning, waitFor } from '@orchestrator/activities/testing/processes';
import { git, headSha } from '@orchestrator/activities/workspace/git';
import {
  expectInOrder,
  expectKeyKeptOut,
  expectRejectedKey,
  expectUnavailableExplained,
  failureOf,
  useAgentStepHarness,
} from '../support/agent-step-checks.js';
import { sessionProcesses } from '../support/agent-sessions.js';
import {
  ensureOpenCodeCli,
  OPENCODE_TEST_KEY_ENV,
  OPENCODE_TEST_MODEL,
  OPENCODE_VERSION,
  opencodeAgent,
} from '../support/agents-opencode.js';
import {
  FINAL_TEXT,
  HELLO_CONTENT,
  HELLO_FILE,
  scriptGoal,
  toolCallIds,
} from '../support/agents-model-server.js';

const KEY = `sk-oc-test-${randomBytes(16).toString('hex')}`;
const WRONG_KEY_ENV = 'IO_TEST_WRONG_OPENCODE_KEY';
/** OpenCode boots in seconds, slower on a loaded machine: steps get minutes, not seconds. */
const STEP_TIMEOUT_MS = 240_000;
/** Silence after which the stalling agent is stopped (above the server's quiet boot). */
const STALL_TIMEOUT_MS = 15_000;

const context = useAgentStepHarness({
  name: 'opencode',
  ensureCli: ensureOpenCodeCli,
  key: KEY,
  keyEnv: OPENCODE_TEST_KEY_ENV,
  wrongKey: 'sk-oc-not-the-key-0000',
  wrongKeyEnv: WRONG_KEY_ENV,
  agentOf: opencodeAgent,
  missingBinary: '/nonexistent/bin/opencode',
  agents: (agent) => [
    agent('opencode'),
    agent('opencode-stalls', { stallTimeoutMs: STALL_TIMEOUT_MS }),
  ],
  killGraceMs: 2000,
});
const { stepInput, environment, step, logLines, requestsFor, stateDirOf } = context;
const startLine = `system: ▶ step 1: running opencode (opencode ${OPENCODE_VERSION}, model ${OPENCODE_TEST_MODEL})`;

/** A process's command name, from /proc. */
function processName(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}

/** Pids of the agent's process group that still run. */
function groupPids(pgid: number): number[] {
  return (processGroupMembers(pgid) ?? []).map((p) => p.pid).filter(isRunning);
}

describe('opencode agent (real CLI, scripted model)', () => {
  it(
    'writes a file with its write tool; the step commits it and reports usage and cost',
    async () => {
      const input = await stepInput('opencode', scriptGoal('write-file', 'create a greeting'));
      const { env, heartbeats } = environment();
      const result = await step(env, input);

      expect(result).toMatchObject({ exitCode: 0, changed: true, summary: FINAL_TEXT });
      expect(result.commitSha).toBe(await headSha(input.workspace));
      const committed = await git(['show', `${result.commitSha}:${HELLO_FILE}`], {
        cwd: input.workspace,
      });
      expect(`${committed.stdout}\n`).toBe(HELLO_CONTENT);
      const status = await git(['status', '--porcelain'], { cwd: input.workspace });
      expect(status.stdout).toBe('');

      // Two model turns (100+120 in, 20+7 out), priced by OpenCode with the agent's pricing.
      expect(result.usage).toEqual({
        inputTokens: 220,
        outputTokens: 27,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        costUsd: expect.closeTo(220 * 3e-6 + 27 * 15e-6, 9) as number,
      });
      expect(result.agentSessionId).toMatch(/^ses_\w+$/);
      const sessionId = result.agentSessionId!;

      const lines = await logLines(input.sessionId);
      expectInOrder(lines, [
        startLine,
        `system: [session] started ${sessionId} (model ${OPENCODE_TEST_MODEL})`,
        `system: ▶ prompt sent to OpenCode session ${sessionId}`,
        `stdout: [tool] write ${HELLO_FILE}`,
        `stdout: [file] created ${HELLO_FILE}`,
        `stdout: [text] ${FINAL_TEXT}`,
        'stdout: [usage] in=220 out=27 cache_read=0 cache_write=0 cost=$0.001065',
        /^system: ■ session idle after \d+\.\ds$/,
        `system: ✔ committed ${result.commitSha!.slice(0, 12)}`,
      ]);
      expect(lines.filter((l) => l.startsWith('stderr:'))).toEqual([]);
      expect(result.lines).toBe(lines.filter((l) => !l.startsWith('system:')).length);

      // Heartbeats carry the server's process group, then OpenCode's session id.
      expect(heartbeats[0]).toMatchObject({ pgid: expect.any(Number) });
      expect(heartbeats.some((h) => h.agentSessionId === sessionId)).toBe(true);
      // The model saw the two turns of the task and nothing else (no title request: it would
      // carry the goal too).
      const requests = requestsFor(input);
      expect(requests).toHaveLength(2);
      expect(requests[1]!.messages.at(-1)?.role).toBe('tool');
      // The server is gone, and so is the per-session state (runs share none).
      expect(groupPids(heartbeats[0]!.pgid!)).toEqual([]);
      expect(existsSync(stateDirOf(input))).toBe(false);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'never lets the API key named by apiKeyEnv into log lines, results or failures',
    () => expectKeyKeptOut(context, 'opencode', KEY),
    STEP_TIMEOUT_MS,
  );

  it(
    "cancelled mid-stream, it aborts the session and stops every process, the model's too",
    async () => {
      const input = await stepInput('opencode', scriptGoal('background-then-stall', 'sleep'));
      const { env, heartbeats } = environment();
      const stalledBefore = context.model.stalled();
      const run = step(env, input);
      // Turn 1 left two sleeps running from OpenCode's bash tool; turn 2 hangs at the model.
      await waitFor(
        () => context.model.stalled() > stalledBefore,
        120_000,
        'OpenCode to call the model',
      );
      const pgid = heartbeats.find((h) => h.pgid)!.pgid!;
      const pids = groupPids(pgid);
      expect(pids).toContain(pgid);
      const everything = sessionProcesses(input.sessionId);
      expect(everything.filter((pid) => processName(pid) === 'sleep')).toHaveLength(2);

      env.cancel();
      const error = await run.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CancelledFailure);
      for (const pid of [...pids, ...everything]) {
        expect(isRunning(pid), `process ${pid} still runs`).toBe(false);
      }
      expect(groupPids(pgid)).toEqual([]);
      expect(sessionProcesses(input.sessionId)).toEqual([]);
      const lines = await logLines(input.sessionId);
      expectInOrder(lines, [
        'stdout: [tool] bash sleep 300 >/dev/null 2>&1 & sleep 300 >/dev/null 2>&1 & echo started',
        /^system: ■ aborted after \d+\.\ds; the OpenCode server was stopped$/,
        'system: ■ stopped 2 processes the agent left running outside its group',
        'system: ■ step cancelled; the agent and its processes were stopped',
      ]);
      expect(existsSync(stateDirOf(input))).toBe(false);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'shows OpenCode retrying a model HTTP 500 and carries on when the retry is answered',
    async () => {
      const input = await stepInput('opencode', scriptGoal('error-500-once', 'greet anyway'));
      const result = await step(environment().env, input);
      expect(result).toMatchObject({ changed: true, summary: FINAL_TEXT });
      const lines = await logLines(input.sessionId);
      expectInOrder(lines, [
        /^stderr: \[retry\] model API: scripted upstream failure; OpenCode retries \(attempt 1, in \d+\.\ds\)$/,
        `stdout: [file] created ${HELLO_FILE}`,
      ]);
      expect(requestsFor(input)).toHaveLength(3);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "turns HTTP 429 after OpenCode's own retries into a retryable failure that says so",
    async () => {
      const input = await stepInput('opencode', scriptGoal('error-429'));
      const limited = await failureOf(step(environment().env, input));
      expect(limited.type).toBe('AgentModelError');
      expect(limited.nonRetryable).toBe(false);
      expect(limited.message).toContain('rate limited the request (HTTP 429)');
      expect(limited.message).toContain('scripted rate limit');
      const lines = await logLines(input.sessionId);
      // OpenCode retried five times (the server asks for a 1 s pause), then gave up.
      expect(
        lines.filter((l) => l.startsWith('stderr: [retry] model API: scripted rate limit')),
      ).toHaveLength(5);
      expect(lines).toContain('stderr: [error] APIError (HTTP 429): scripted rate limit');
      expect(requestsFor(input)).toHaveLength(6);
      // Nothing was committed, and the state stays for the retry to resume.
      expect((await git(['log', '--oneline'], { cwd: input.workspace })).stdout.trim()).toMatch(
        /^\w+ initial$/,
      );
      expect(existsSync(stateDirOf(input))).toBe(true);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'stalled (no output for its stallTimeoutMs), it is stopped; the retry resumes the session',
    async () => {
      const input = await stepInput('opencode-stalls', scriptGoal('stall-once', 'greet later'));
      const first = environment();
      const stalled = await failureOf(step(first.env, input));
      expect(stalled.type).toBe('AgentStalledError');
      expect(stalled.nonRetryable).toBe(false);
      const beat = first.heartbeats.at(-1)!;
      expect(beat.agentSessionId).toMatch(/^ses_\w+$/);
      expect(groupPids(beat.pgid!)).toEqual([]);
      expect(existsSync(stateDirOf(input))).toBe(true);

      // Temporal retries the step with the last heartbeat's details.
      const second = environment({ heartbeatDetails: beat, attempt: 2 });
      const result = await step(second.env, input);
      expect(result).toMatchObject({ changed: true, summary: FINAL_TEXT });
      expect(result.agentSessionId).toBe(beat.agentSessionId);
      const lines = await logLines(input.sessionId);
      expectInOrder(lines, [
        /^system: ■ stalled: no output for 15 s; aborting \(attempt 1\)$/,
        /^system: ■ aborted after/,
        `system: [session] resumed ${beat.agentSessionId} (model ${OPENCODE_TEST_MODEL})`,
        `stdout: [file] created ${HELLO_FILE}`,
      ]);
      expect(existsSync(stateDirOf(input))).toBe(false);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'resumes the same OpenCode session when a step is retried after its agent died',
    async () => {
      const input = await stepInput('opencode', scriptGoal('write-then-stall', 'greet, then wait'));
      const first = environment();
      const run = step(first.env, input);
      // Turn 1 wrote the file; turn 2 hangs at the model: the agent is mid-step.
      await waitFor(
        () => requestsFor(input).length === 2 && existsSync(join(input.workspace, HELLO_FILE)),
        120_000,
        'the second turn',
      );
      await waitFor(
        () => first.heartbeats.some((h) => h.agentSessionId),
        10_000,
        'a heartbeat with the session id',
      );
      const beat = first.heartbeats.at(-1)!;
      // What a worker crash leaves: the agent gone mid-step (here killed; after a real crash the
      // retry kills the orphan), the step retried with the last heartbeat's details.
      process.kill(-beat.pgid!, 'SIGKILL');
      const killed = await failureOf(run);
      expect(killed.type).toBe('AgentKilledError');
      expect(killed.nonRetryable).toBe(false);
      const interrupted = requestsFor(input)[1]!;

      const second = environment({ heartbeatDetails: beat, attempt: 2 });
      const result = await step(second.env, input);
      expect(result.agentSessionId).toBe(beat.agentSessionId);
      expect(result.summary).toBe(FINAL_TEXT);
      expect(result.changed).toBe(true);
      // The resumed conversation carries the first attempt's tool call: it did not start over.
      const resumed = requestsFor(input).at(-1)!;
      expect(toolCallIds(resumed)).toEqual(toolCallIds(interrupted));
      expect(toolCallIds(resumed)).toHaveLength(1);
      expect(requestsFor(input)).toHaveLength(3);
      const lines = await logLines(input.sessionId);
      expectInOrder(lines, [
        `system: [session] started ${beat.agentSessionId} (model ${OPENCODE_TEST_MODEL})`,
        /^system: ■ killed by SIGKILL/,
        startLine,
        `system: [session] resumed ${beat.agentSessionId} (model ${OPENCODE_TEST_MODEL})`,
        `stdout: [text] ${FINAL_TEXT}`,
      ]);
      expect(await readFile(join(input.workspace, HELLO_FILE), 'utf8')).toBe(HELLO_CONTENT);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'fails a rejected API key (401) for good, pointing at the apiKeyEnv variable',
    () =>
      expectRejectedKey(context, {
        messages: ['(APIError, HTTP 401)'],
        stopsAtFirstRejection: false,
      }),
    STEP_TIMEOUT_MS,
  );

  it('reports a worker without the CLI or the key as unavailable, saying what to do', () =>
    expectUnavailableExplained(context, {
      installHint: 'npm install -g opencode-ai',
      version: OPENCODE_VERSION,
      commandName: 'opencode',
    }));
});
