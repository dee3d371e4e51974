/**
 * The claude-code adapter on the real Claude Code CLI (installed by the test setup) against a
 * scripted model server on 127.0.0.1, through the runAgentStep activity in Temporal's
 * MockActivityEnvironment, with real Postgres (archive), git workspaces and processes.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CancelledFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { processGroupMembers } from '@orchestrator/activities/agents/process-group';
import { isRunning, waitFor } from '@orchestrator/activities/testing/processes';
import { git, headSha } from '@orchestrator/activities/workspace/git';
import {
  claudeAgent,
  claudeTranscript,
  CLAUDE_CODE_VERSION,
  ensureClaudeCodeCli,
  TEST_KEY_ENV,
} from '../support/agents-claude-code.js';
import {
  FINAL_TEXT,
  HELLO_CONTENT,
  HELLO_FILE,
  scriptGoal,
  toolCallIds,
} from '../support/agents-model-server.js';
import {
  expectInOrder,
  expectKeyKeptOut,
  expectRejectedKey,
  expectUnavailableExplained,
  failureOf,
  useAgentStepHarness,
} from '../support/agent-step-checks.js';

const KEY = `sk-ant-test-${randomBytes(16).toString('hex')}`;
const WRONG_KEY_ENV = 'IO_TEST_WRONG_KEY';

const context = useAgentStepHarness({
  name: 'claude',
  ensureCli: ensureClaudeCodeCli,
  key: KEY,
  keyEnv: TEST_KEY_ENV,
  wrongKey: 'sk-ant-not-the-key-0000',
  wrongKeyEnv: WRONG_KEY_ENV,
  agentOf: claudeAgent,
  missingBinary: '/nonexistent/bin/claude',
  agents: (agent) => [
    agent('claude'),
    // The CLI retries 429/5xx itself (about 10 times, with backoff): not here.
    agent('claude-no-retry', { env: { CLAUDE_CODE_MAX_RETRIES: '0' } }),
    agent('claude-one-turn', { maxTurns: 1 }),
  ],
  killGraceMs: 1000,
});
const { stepInput, environment, step, logLines, requestsFor, stateDirOf } = context;

describe('claude-code agent (real CLI, scripted model)', () => {
  it('writes a file with the Write tool; the step commits it and reports usage and cost', async () => {
    const input = await stepInput('claude', scriptGoal('write-file', 'create a greeting file'));
    const { env, heartbeats } = environment();
    const result = await step(env, input);

    expect(result).toMatchObject({ exitCode: 0, changed: true, summary: FINAL_TEXT });
    expect(result.commitSha).toBe(await headSha(input.workspace));
    const committed = await git(['show', `${result.commitSha}:${HELLO_FILE}`], {
      cwd: input.workspace,
    });
    expect(committed.stdout).toBe(HELLO_CONTENT.trimEnd());
    const status = await git(['status', '--porcelain'], { cwd: input.workspace });
    expect(status.stdout).toBe('');

    // Two model turns (100+120 in, 20+7 out), priced by the CLI at Sonnet 4.5 list prices.
    expect(result.usage).toEqual({
      inputTokens: 220,
      outputTokens: 27,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      costUsd: expect.closeTo(220 * 3e-6 + 27 * 15e-6, 9) as number,
    });
    expect(result.agentSessionId).toMatch(/^[0-9a-f-]{36}$/);
    const sessionId = result.agentSessionId!;

    const lines = await logLines(input.sessionId);
    expectInOrder(lines, [
      `system: ▶ step 1: running claude (claude-code ${CLAUDE_CODE_VERSION}, model claude-sonnet-4-5, session ${sessionId})`,
      `system: [session] started ${sessionId} (model claude-sonnet-4-5)`,
      `stdout: [tool] Write ${HELLO_FILE}`,
      `stdout: [file] created ${HELLO_FILE}`,
      `stdout: [text] ${FINAL_TEXT}`,
      'stdout: [usage] in=220 out=27 cache_read=0 cache_write=0 cost=$0.001065',
      /^system: ■ exit 0 in \d+\.\ds$/,
      `system: ✔ committed ${result.commitSha!.slice(0, 12)}`,
    ]);
    // The final answer is logged once, not again from the result message.
    expect(lines.filter((l) => l === `stdout: [text] ${FINAL_TEXT}`)).toHaveLength(1);
    expect(result.lines).toBe(lines.filter((l) => !l.startsWith('system:')).length);
    // The archive holds the same lines.
    const archived = await context.harness.archive.list(input.sessionId, { limit: 100 });
    expect(archived.map((l) => l.line)).toEqual(lines.map((l) => l.replace(/^\w+: /, '')));

    // Heartbeats carry the process group and Claude's session id from the first one on.
    expect(heartbeats[0]).toMatchObject({ agentSessionId: sessionId, pgid: expect.any(Number) });
    // The model saw two turns: the tool call, then the tool result.
    const requests = requestsFor(input);
    expect(requests).toHaveLength(2);
    expect(requests[1]!.messages.at(-1)?.role).toBe('tool');
    // Runs share no state: the per-session state dir is gone after a finished step.
    expect(existsSync(stateDirOf(input))).toBe(false);
  });

  it('never lets the API key named by apiKeyEnv into log lines, results or failures', async () => {
    await expectKeyKeptOut(context, 'claude', KEY);
    // Nor does a failure (the agent's error text is redacted the same way).
    const failing = await stepInput('claude-no-retry', scriptGoal('error-500', KEY));
    const failure = await failureOf(step(environment().env, failing));
    expect(`${failure.message} ${JSON.stringify(failure.details)}`).not.toContain(KEY);
  });

  it('cancelled mid-stream (the model stalls), it stops the CLI and every process of its group', async () => {
    const input = await stepInput('claude', scriptGoal('stall', 'wait forever'));
    const { env, heartbeats } = environment();
    const stalledBefore = context.model.stalled();
    const run = step(env, input);
    await waitFor(
      () => context.model.stalled() > stalledBefore,
      30_000,
      'the CLI to call the model',
    );
    const pgid = heartbeats.find((h) => h.pgid)!.pgid!;
    const pids = (processGroupMembers(pgid) ?? []).map((p) => p.pid).filter(isRunning);
    expect(pids).toContain(pgid);

    env.cancel();
    const error = await run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CancelledFailure);
    for (const pid of pids) expect(isRunning(pid), `process ${pid} still runs`).toBe(false);
    expect((processGroupMembers(pgid) ?? []).filter((p) => isRunning(p.pid))).toEqual([]);
    const lines = await logLines(input.sessionId);
    expect(lines.at(-1)).toBe('system: ■ step cancelled; the agent and its processes were stopped');
    expect(existsSync(stateDirOf(input))).toBe(false);
  });

  it('turns HTTP 500 and 429 from the model into retryable failures that say so', async () => {
    const server = await failureOf(
      step(environment().env, await stepInput('claude-no-retry', scriptGoal('error-500'))),
    );
    expect(server.type).toBe('AgentModelError');
    expect(server.nonRetryable).toBe(false);
    expect(server.message).toContain('the model API failed with HTTP 500');
    expect(server.message).toContain('scripted upstream failure');

    const input = await stepInput('claude-no-retry', scriptGoal('error-429'));
    const limited = await failureOf(step(environment().env, input));
    expect(limited.type).toBe('AgentModelError');
    expect(limited.nonRetryable).toBe(false);
    expect(limited.message).toContain('rate limited the request (HTTP 429)');
    expect(limited.message).toContain('scripted rate limit');
    const lines = await logLines(input.sessionId);
    expect(lines.some((l) => l.startsWith('stderr: [error] API Error') && l.includes('429'))).toBe(
      true,
    );
    // Nothing was committed, and the state stays for the retry to resume.
    expect((await git(['log', '--oneline'], { cwd: input.workspace })).stdout.trim()).toMatch(
      /^\w+ initial$/,
    );
    expect(existsSync(stateDirOf(input))).toBe(true);
  });

  it('fails the step, not retryably, when the agent itself reports an error (turn limit)', async () => {
    const input = await stepInput('claude-one-turn', scriptGoal('write-file'));
    const failure = await failureOf(step(environment().env, input));
    expect(failure.type).toBe('AgentExitError');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/^Agent "claude-one-turn" failed \(error_max_turns\): /);
    expect(failure.message).toContain('maxTurns of 1');
    expect(existsSync(stateDirOf(input))).toBe(false);
  });

  it('resumes the same Claude session when a step is retried after its agent died', async () => {
    const input = await stepInput('claude', scriptGoal('write-then-stall', 'greet, then wait'));
    const first = environment();
    const run = step(first.env, input);
    // Turn 1 wrote the file; turn 2 hangs at the model: the agent is mid-step.
    await waitFor(
      () => requestsFor(input).length === 2 && existsSync(join(input.workspace, HELLO_FILE)),
      30_000,
      'the second turn',
    );
    const beat = first.heartbeats.at(-1)!;
    expect(beat.agentSessionId).toMatch(/^[0-9a-f-]{36}$/);
    await waitFor(
      () =>
        claudeTranscript(input.workspace, 'claude', beat.agentSessionId!).includes('tool_result'),
      10_000,
      'turn 1 in the transcript',
    );
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
    expect(second.heartbeats[0]?.agentSessionId).toBe(beat.agentSessionId);
    // The resumed conversation carries the first attempt's tool call: it did not start over.
    const resumed = requestsFor(input).at(-1)!;
    expect(toolCallIds(resumed)).toEqual(toolCallIds(interrupted));
    expect(requestsFor(input)).toHaveLength(3);
    const lines = await logLines(input.sessionId);
    expectInOrder(lines, [
      `system: [session] started ${beat.agentSessionId} (model claude-sonnet-4-5)`,
      /^system: ■ killed by SIGKILL/,
      `system: ▶ step 1: running claude (claude-code ${CLAUDE_CODE_VERSION}, model claude-sonnet-4-5, resuming ${beat.agentSessionId})`,
      `system: [session] resumed ${beat.agentSessionId} (model claude-sonnet-4-5)`,
      `stdout: [text] ${FINAL_TEXT}`,
    ]);
    expect(await readFile(join(input.workspace, HELLO_FILE), 'utf8')).toBe(HELLO_CONTENT);
  });

  it('fails a rejected API key (401) for good, pointing at the apiKeyEnv variable', () =>
    expectRejectedKey(context, {
      messages: ['the model API answered HTTP 401'],
      stopsAtFirstRejection: true,
    }));

  it('reports a worker without the CLI or the key as unavailable, saying what to do', () =>
    expectUnavailableExplained(context, {
      installHint: 'npm install -g @anthropic-ai/claude-code',
      version: CLAUDE_CODE_VERSION,
      commandName: 'claude',
    }));
});
