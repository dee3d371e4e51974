/**
 * The codex adapter on the real Codex CLI (installed by the test setup) against a scripted
 * model server on 127.0.0.1 speaking the Responses API, through the runAgentStep activity in
 * Temporal's MockActivityEnvironment, with real Postgres (archive), git workspaces, processes
 * and Codex's own Linux sandbox around the model's commands.
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
import { sessionProcesses } from '../support/agent-sessions.js';
import {
  expectInOrder,
  expectRejectedKey,
  expectUnavailableExplained,
  failureOf,
  useAgentStepHarness,
} from '../support/agent-step-checks.js';
import {
  codexAgent,
  codexRollout,
  CODEX_TEST_KEY_ENV,
  CODEX_TEST_MODEL,
  CODEX_VERSION,
  ensureCodexCli,
} from '../support/agents-codex.js';
import {
  FINAL_TEXT,
  HELLO_CONTENT,
  HELLO_FILE,
  messageText,
  scriptGoal,
  toolCallIds,
} from '../support/agents-model-server.js';

const KEY = `sk-test-${randomBytes(16).toString('hex')}`;
const WRONG_KEY_ENV = 'IO_TEST_WRONG_KEY';
const THREAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const context = useAgentStepHarness({
  name: 'codex',
  ensureCli: ensureCodexCli,
  key: KEY,
  keyEnv: CODEX_TEST_KEY_ENV,
  wrongKey: 'sk-not-the-key-0000',
  wrongKeyEnv: WRONG_KEY_ENV,
  agentOf: codexAgent,
  missingBinary: '/nonexistent/bin/codex',
  agents: (agent) => [
    agent('codex'),
    // Codex retries 429/5xx itself (4 requests, then 5 reconnects, with backoff): not here.
    agent('codex-no-retry', { maxRetries: 0 }),
    agent('codex-stalls', { stallTimeoutMs: 3000 }),
  ],
  killGraceMs: 1000,
});
const { stepInput, environment, step, logLines, requestsFor, stateDirOf } = context;
const processName = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '(gone)';
  }
};
const started = (agent: string, thread: string) =>
  `system: ▶ step 1: running ${agent} (codex ${CODEX_VERSION}, model ${CODEX_TEST_MODEL}, ${thread})`;

describe('codex agent (real CLI, scripted Responses API)', () => {
  it('writes a file from its sandboxed shell; the step commits it and reports usage', async () => {
    const input = await stepInput('codex', scriptGoal('write-file', 'create a greeting file'));
    const { env, heartbeats } = environment();
    const result = await step(env, input);

    expect(result).toMatchObject({ exitCode: 0, changed: true, summary: FINAL_TEXT });
    expect(result.commitSha).toBe(await headSha(input.workspace));
    const committed = await git(['show', `${result.commitSha}:${HELLO_FILE}`], {
      cwd: input.workspace,
    });
    expect(`${committed.stdout}\n`).toBe(HELLO_CONTENT);
    expect((await git(['status', '--porcelain'], { cwd: input.workspace })).stdout).toBe('');

    // Two model turns (100+120 in, 20+7 out); Codex does not price them.
    expect(result.usage).toEqual({
      inputTokens: 220,
      outputTokens: 27,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      costUsd: null,
    });
    expect(result.agentSessionId).toMatch(THREAD_ID);
    const thread = result.agentSessionId!;

    const lines = await logLines(input.sessionId);
    expectInOrder(lines, [
      started('codex', 'new thread'),
      `system: [session] started ${thread} (model ${CODEX_TEST_MODEL})`,
      `stdout: [tool] shell cat > ${HELLO_FILE} <<'EOF' ⏎ ${HELLO_CONTENT.trim()} ⏎ EOF`,
      `stdout: [text] ${FINAL_TEXT}`,
      'stdout: [usage] in=220 out=27 cache_read=0 cache_write=0 cost=unknown',
      /^system: ■ exit 0 in \d+\.\ds$/,
      `system: ✔ committed ${result.commitSha!.slice(0, 12)}`,
    ]);
    expect(lines.some((line) => line.startsWith('stdout: [tool-failed]'))).toBe(false);
    const archived = await context.harness.archive.list(input.sessionId, { limit: 100 });
    expect(archived.map((l) => l.line)).toEqual(lines.map((l) => l.replace(/^\w+: /, '')));

    // The thread id reached the heartbeats as soon as Codex announced it.
    expect(heartbeats.at(-1)).toMatchObject({ agentSessionId: thread, pgid: expect.any(Number) });
    // The model saw two turns: the shell call, then its output.
    const requests = requestsFor(input);
    expect(requests).toHaveLength(2);
    expect(requests[1]!.messages.at(-1)).toMatchObject({ role: 'tool' });
    expect(existsSync(stateDirOf(input))).toBe(false);
  });

  it("never lets the key into log lines, results, failures or the model's shell", async () => {
    context.model.secretToSay = KEY;
    const input = await stepInput('codex', scriptGoal('say-secret', 'tell me the secret'));
    const result = await step(environment().env, input);
    // The key did reach the model API (the server answers 401 to any other key) …
    expect(requestsFor(input)).toHaveLength(1);
    // … but neither the step's result nor its log nor the archive holds it.
    expect(result.summary).toBe('Here is what I found: [redacted]');
    expect(JSON.stringify(result)).not.toContain(KEY);
    const lines = await logLines(input.sessionId);
    expect(lines).toContain('stdout: [text] Here is what I found: [redacted]');
    expect(lines.join('\n')).not.toContain(KEY);
    const archived = await context.harness.archive.list(input.sessionId, { limit: 100 });
    expect(JSON.stringify(archived)).not.toContain(KEY);

    // The model's commands see the step's identity, not the key Codex talks to the API with.
    const probe = await stepInput('codex', scriptGoal('print-env', 'show me the environment'));
    await step(environment().env, probe);
    const seen = messageText(requestsFor(probe)[1]!.messages.at(-1)!.content);
    expect(seen).toContain(`ORCHESTRATOR_SESSION_ID=${probe.sessionId}`);
    expect(seen).toContain('CODEX_SANDBOX_NETWORK_DISABLED=1');
    expect(seen).not.toContain(KEY);
    expect(seen).not.toContain('CODEX_PROVIDER_API_KEY');

    const failing = await stepInput('codex-no-retry', scriptGoal('error-500', KEY));
    const failure = await failureOf(step(environment().env, failing));
    expect(`${failure.message} ${JSON.stringify(failure.details)}`).not.toContain(KEY);
  });

  it("cancelled mid-stream, it stops the CLI, its group and the model's background commands", async () => {
    const input = await stepInput('codex', scriptGoal('background-then-stall', 'sleep, wait'));
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
    // Codex runs the model's commands in its sandbox, a session and process group of their own:
    // the two sleeps still run, found by the step's identity in their environment.
    const commands = sessionProcesses(input.sessionId).filter((pid) => !pids.includes(pid));
    expect(commands.filter((pid) => processName(pid) === 'sleep')).toHaveLength(2);

    env.cancel();
    const error = await run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CancelledFailure);
    for (const pid of [...pids, ...commands]) {
      expect(isRunning(pid), `process ${pid} (${processName(pid)}) still runs`).toBe(false);
    }
    expect((processGroupMembers(pgid) ?? []).filter((p) => isRunning(p.pid))).toEqual([]);
    expect(sessionProcesses(input.sessionId)).toEqual([]);
    const lines = await logLines(input.sessionId);
    expect(lines.at(-1)).toBe('system: ■ step cancelled; the agent and its processes were stopped');
    expect(existsSync(stateDirOf(input))).toBe(false);
  });

  it('turns HTTP 500 and 429 from the model into retryable failures that say so', async () => {
    const server = await failureOf(
      step(environment().env, await stepInput('codex-no-retry', scriptGoal('error-500'))),
    );
    expect(server.type).toBe('AgentModelError');
    expect(server.nonRetryable).toBe(false);
    expect(server.message).toContain('Agent "codex-no-retry": the model API failed with HTTP 500');
    expect(server.message).toContain('The step is retried with backoff');

    const input = await stepInput('codex-no-retry', scriptGoal('error-429'));
    const limited = await failureOf(step(environment().env, input));
    expect(limited.type).toBe('AgentModelError');
    expect(limited.nonRetryable).toBe(false);
    expect(limited.message).toContain('rate limited the request (HTTP 429)');
    expect(limited.message).toContain('last status: 429 Too Many Requests');
    const lines = await logLines(input.sessionId);
    expect(lines.some((l) => l.startsWith('stderr: [error]') && l.includes('429'))).toBe(true);
    // Nothing was committed, and the state stays for the retry to resume.
    expect((await git(['log', '--oneline'], { cwd: input.workspace })).stdout.trim()).toMatch(
      /^\w+ initial$/,
    );
    expect(existsSync(stateDirOf(input))).toBe(true);
  });

  it('stops a stalled Codex and lets the retry resume its thread to the end', async () => {
    const input = await stepInput('codex-stalls', scriptGoal('write-then-stall', 'greet, wait'));
    const first = environment({ attempt: 1 });
    const stalled = await failureOf(step(first.env, input));
    expect(stalled.type).toBe('AgentStalledError');
    expect(stalled.nonRetryable).toBe(false);
    expect(stalled.message).toContain('Agent "codex-stalls" produced no output for 3 s');
    const beat = first.heartbeats.at(-1)!;
    expect(beat.agentSessionId).toMatch(THREAD_ID);
    expect(isRunning(beat.pgid!)).toBe(false);
    expect(await readFile(join(input.workspace, HELLO_FILE), 'utf8')).toBe(HELLO_CONTENT);
    // The stopped attempt still reports what its first turn cost (from Codex's rollout).
    expectInOrder(await logLines(input.sessionId), [
      'system: ■ stalled: no output for 3 s; aborting (attempt 1)',
      /^system: ■ killed by SIG(TERM|KILL) after/,
      'stdout: [usage] in=100 out=20 cache_read=0 cache_write=0 cost=unknown',
    ]);

    // What Temporal does next: the same step again, with the last heartbeat's details.
    const second = environment({ attempt: 2, heartbeatDetails: beat });
    const result = await step(second.env, input);
    expect(result).toMatchObject({
      agentSessionId: beat.agentSessionId,
      summary: FINAL_TEXT,
      changed: true,
    });
    expect(requestsFor(input)).toHaveLength(3);
    expect(await logLines(input.sessionId)).toContain(
      started('codex-stalls', `resuming thread ${beat.agentSessionId}`),
    );
  });

  it('resumes the same Codex thread when a step is retried after its agent died', async () => {
    const input = await stepInput('codex', scriptGoal('write-then-stall', 'greet, then wait'));
    const first = environment();
    const run = step(first.env, input);
    // Turn 1 wrote the file; turn 2 hangs at the model: the agent is mid-step.
    await waitFor(
      () => requestsFor(input).length === 2 && existsSync(join(input.workspace, HELLO_FILE)),
      30_000,
      'the second turn',
    );
    const beat = first.heartbeats.at(-1)!;
    expect(beat.agentSessionId).toMatch(THREAD_ID);
    const thread = beat.agentSessionId!;
    // What a worker crash leaves: the agent gone mid-step (here killed; after a real crash the
    // retry kills the orphan), the step retried with the last heartbeat's details.
    process.kill(-beat.pgid!, 'SIGKILL');
    const killed = await failureOf(run);
    expect(killed.type).toBe('AgentKilledError');
    expect(killed.nonRetryable).toBe(false);
    expect(await codexRollout(input.workspace, 'codex', thread)).toContain('function_call_output');
    const interrupted = requestsFor(input)[1]!;

    const second = environment({ heartbeatDetails: beat, attempt: 2 });
    const result = await step(second.env, input);
    expect(result.agentSessionId).toBe(thread);
    expect(result.summary).toBe(FINAL_TEXT);
    expect(result.changed).toBe(true);
    expect(second.heartbeats[0]?.agentSessionId).toBe(thread);
    // The resumed conversation carries the first attempt's tool call: it did not start over.
    const requests = requestsFor(input);
    expect(requests).toHaveLength(3);
    expect(toolCallIds(requests[2]!)).toEqual(toolCallIds(interrupted));
    expect(toolCallIds(requests[2]!)).toHaveLength(1);
    // This attempt's usage is its own turn, not the thread's total (the first attempt's turn
    // went to its own ledger row).
    expect(result.usage).toMatchObject({ inputTokens: 120, outputTokens: 7 });
    const lines = await logLines(input.sessionId);
    expectInOrder(lines, [
      `system: [session] started ${thread} (model ${CODEX_TEST_MODEL})`,
      /^system: ■ killed by SIGKILL/,
      started('codex', `resuming thread ${thread}`),
      `system: [session] resumed ${thread} (model ${CODEX_TEST_MODEL})`,
      `stdout: [text] ${FINAL_TEXT}`,
    ]);
    expect(await readFile(join(input.workspace, HELLO_FILE), 'utf8')).toBe(HELLO_CONTENT);
  });

  it('fails a rejected API key (401) for good, pointing at the apiKeyEnv variable', () =>
    expectRejectedKey(context, {
      messages: ['Agent "codex-wrong-key" failed (HTTP 401)', 'unexpected status 401 Unauthorized'],
      stopsAtFirstRejection: true,
    }));

  it('reports a worker without the CLI or the key as unavailable, saying what to do', () =>
    expectUnavailableExplained(context, {
      installHint: 'npm install -g @openai/codex',
      version: CODEX_VERSION,
    }));
});
