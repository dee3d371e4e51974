import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusEntry } from '../logs/types.js';
import { isRunning, waitFor } from '../testing/processes.js';
import { createStepHarness, type StepHarness } from '../testing/step-harness.js';
import { git, headSha } from '../workspace/git.js';
import { defaultAgents } from './defaults.js';
import type { StepHeartbeat } from './orphans.js';
import { processGroupMembers } from './process-group.js';
import { createAgentRegistry } from './registry.js';
import type { AgentConfig, CommandAgentConfig } from './types.js';

const sh = (
  name: string,
  script: string,
  extra: Partial<CommandAgentConfig> = {},
): AgentConfig => ({
  name,
  kind: 'command',
  command: ['sh', '-c', script],
  ...extra,
});

const demo = defaultAgents().find((agent) => agent.name === 'demo')!;
const agents = createAgentRegistry([
  { ...demo, env: { DEMO_AGENT_DELAY_MS: '5' } },
  sh(
    'echoer',
    'printf "one\\ntwo\\n"; echo "careful" >&2; printf "%s\\n" "$ORCHESTRATOR_GOAL" > goal.txt; ' +
      'echo "$ORCHESTRATOR_SESSION_ID $ORCHESTRATOR_STEP" > env.txt; printf "\\033[32mall done\\033[0m\\n"',
  ),
  sh('quiet', 'true'),
  sh('failing', 'echo "trying"; echo "first problem" >&2; echo "bad thing happened" >&2; exit 3'),
  sh('flaky', 'exit 4', { retryOnNonZeroExit: true }),
  sh(
    'spent-then-failed',
    'echo \'ORCHESTRATOR_USAGE {"inputTokens":300,"outputTokens":50,"costUsd":0.5}\'; ' +
      'echo \'ORCHESTRATOR_USAGE {"inputTokens":10,"outputTokens":5,"cacheReadTokens":7}\'; exit 2',
  ),
  sh('sleeper', 'sleep 300 & sleep 300 & echo started; wait'),
  sh('stubborn', 'trap "" TERM; echo started; sleep 300'),
  sh('self-killer', 'echo going; kill -KILL $$'),
  sh('leaver', 'sleep 300 & echo $! > leftover.pid; echo done'),
  { name: 'missing', kind: 'command', command: ['io-no-such-command-xyz', '--flag'] },
]);

let harness: StepHarness;
beforeAll(async () => {
  harness = await createStepHarness({ name: 'agent', agents });
});
afterAll(async () => {
  await harness?.close();
});
const stepInput = (agent: string, goal?: string) => harness.stepInput(agent, goal);
const environment = (...args: Parameters<StepHarness['environment']>) =>
  harness.environment(...args);
const step = (...args: Parameters<StepHarness['step']>) => harness.step(...args);

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

const logLines = (entries: BusEntry[]) =>
  entries.flatMap((e) => (e.kind === 'log' ? [`${e.stream}: ${e.line}`] : []));

describe('runAgentStep', () => {
  it('streams output line by line, commits the workspace and returns the checkpoint', async () => {
    const input = await stepInput('echoer');
    const { env, heartbeats } = environment();
    const result = await step(env, input);

    expect(result).toMatchObject({ exitCode: 0, summary: 'all done', changed: true, lines: 4 });
    expect(result.commitSha).toBe(await headSha(input.workspace));
    const subject = await git(['log', '-1', '--format=%s'], { cwd: input.workspace });
    expect(subject.stdout.trim()).toBe('echoer: step 1 — Add a greeting');
    expect(await readFile(join(input.workspace, 'goal.txt'), 'utf8')).toBe(`${input.goal}\n`);
    expect(await readFile(join(input.workspace, 'env.txt'), 'utf8')).toBe(`${input.sessionId} 1\n`);

    const entries = await harness.bus.read(input.sessionId);
    const lines = logLines(entries);
    expect(lines[0]).toMatch(/^system: ▶ step 1: running echoer \(sh -c /);
    expect(lines.filter((l) => l.startsWith('stdout:'))).toEqual([
      'stdout: one',
      'stdout: two',
      'stdout: \u001b[32mall done\u001b[0m',
    ]);
    expect(lines).toContain('stderr: careful');
    expect(lines.at(-2)).toMatch(/^system: ■ exit 0 in \d+\.\ds$/);
    expect(lines.at(-1)).toBe(`system: ✔ committed ${result.commitSha!.slice(0, 12)}`);
    // The archive holds the same lines under the same ids, flushed before the step returned.
    const archived = await harness.archive.list(input.sessionId, { limit: 100 });
    expect(archived.map((l) => l.id)).toEqual(entries.map((e) => e.id));

    expect(heartbeats[0]).toMatchObject({ sessionId: input.sessionId, step: 1, host: hostname() });
    expect(heartbeats.some((h) => typeof h.pgid === 'number' && h.pgid === h.pid)).toBe(true);
  });

  it('runs the bundled demo agent, which records the goal in ORCHESTRATOR_NOTES.md', async () => {
    const input = await stepInput('demo', 'Write a haiku about queues');
    const { env } = environment();
    const result = await step(env, input);
    expect(result.changed).toBe(true);
    expect(result.lines).toBeGreaterThanOrEqual(15);
    expect(result.summary).toBe('done: recorded the goal in ORCHESTRATOR_NOTES.md');
    const notes = await readFile(join(input.workspace, 'ORCHESTRATOR_NOTES.md'), 'utf8');
    expect(notes).toContain('Write a haiku about queues');
    const lines = logLines(await harness.bus.read(input.sessionId));
    expect(lines.filter((l) => l.startsWith('stderr:'))).toHaveLength(1);
    expect(lines.some((l) => l.includes('\u001b[36m'))).toBe(true);
  });

  it('reports a step that changed nothing without a new commit', async () => {
    const input = await stepInput('quiet');
    const before = await headSha(input.workspace);
    const { env } = environment();
    const result = await step(env, input);
    expect(result).toMatchObject({ exitCode: 0, changed: false, commitSha: before, lines: 0 });
    expect(result.summary).toBe('quiet finished without output');
  });

  it('fails a non-zero exit with a non-retryable AgentExitError naming code and last stderr line', async () => {
    const input = await stepInput('failing');
    const { env } = environment();
    const before = await headSha(input.workspace);
    const failure = await failureOf(step(env, input));
    expect(failure.type).toBe('AgentExitError');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe('Agent "failing" exited with code 3: bad thing happened');
    expect(await headSha(input.workspace)).toBe(before);
    const lines = logLines(await harness.bus.read(input.sessionId));
    expect(lines).toContain('stderr: bad thing happened');
    expect(lines.at(-1)).toMatch(/^system: ■ exit 3 in/);
  });

  it('a failure carries what the attempt spent, for the session to count', async () => {
    const failure = await failureOf(step(environment().env, await stepInput('spent-then-failed')));
    expect(failure.type).toBe('AgentExitError');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/^Agent "spent-then-failed" exited with code 2/);
    // The adapter's own detail first, then the usage.
    expect(failure.details?.[0]).toMatchObject({ agent: 'spent-then-failed', exitCode: 2 });
    expect(failure.details?.at(-1)).toEqual({
      spentUsage: {
        inputTokens: 310,
        outputTokens: 55,
        cacheReadTokens: 7,
        cacheWriteTokens: 0,
        costUsd: 0.5,
      },
    });
  });

  it('lets an agent configured with retryOnNonZeroExit be retried', async () => {
    const failure = await failureOf(step(environment().env, await stepInput('flaky')));
    // Not AgentExitError: the workflow's retry policy refuses that type whatever the flag says.
    expect(failure.type).toBe('AgentExitRetryableError');
    expect(failure.nonRetryable).toBe(false);
  });

  it('fails an unknown agent or a missing command with a non-retryable AgentConfigError', async () => {
    const unknown = await failureOf(step(environment().env, await stepInput('nobody')));
    expect(unknown.type).toBe('AgentConfigError');
    expect(unknown.nonRetryable).toBe(true);
    expect(unknown.message).toContain('Unknown agent "nobody"');
    expect(unknown.message).toContain('echoer');

    const missing = await failureOf(step(environment().env, await stepInput('missing')));
    expect(missing.type).toBe('AgentConfigError');
    expect(missing.nonRetryable).toBe(true);
    expect(missing.message).toContain('command "io-no-such-command-xyz" was not found');
  });

  it('fails a missing workspace with a WorkspaceError', async () => {
    const input = { ...(await stepInput('quiet')), workspace: join(harness.root, 'nowhere') };
    const failure = await failureOf(step(environment().env, input));
    expect(failure.type).toBe('WorkspaceError');
  });

  it('reports an agent killed from outside (not cancelled) as retryable', async () => {
    const failure = await failureOf(step(environment().env, await stepInput('self-killer')));
    expect(failure.type).toBe('AgentKilledError');
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toContain('SIGKILL');
  });

  it('on cancellation kills the whole process group and rethrows the cancellation', async () => {
    const input = await stepInput('sleeper');
    const { env, heartbeats } = environment();
    const run = step(env, input);
    await waitFor(() => heartbeats.some((h) => h.pgid), 5000, 'the agent to start');
    const pgid = heartbeats.find((h) => h.pgid)!.pgid!;
    let pids: number[] = [];
    await waitFor(
      () => {
        pids = (processGroupMembers(pgid) ?? []).map((p) => p.pid).filter(isRunning);
        return pids.length >= 3; // sh and both sleeps
      },
      5000,
      'the agent and its children',
    );
    env.cancel();
    const error = await run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CancelledFailure);
    for (const pid of pids) expect(isRunning(pid), `process ${pid} still runs`).toBe(false);
    const lines = logLines(await harness.bus.read(input.sessionId));
    expect(lines).toContain('stdout: started');
    expect(lines.at(-1)).toBe('system: ■ step cancelled; the agent and its processes were stopped');
  });

  it('on cancellation SIGKILLs a group that ignores SIGTERM after the grace period', async () => {
    const input = await stepInput('stubborn');
    const { env, heartbeats } = environment();
    const run = step(env, input);
    await waitFor(async () =>
      logLines(await harness.bus.read(input.sessionId)).includes('stdout: started'),
    );
    const pgid = heartbeats.find((h) => h.pgid)!.pgid!;
    const pids = (processGroupMembers(pgid) ?? []).map((p) => p.pid);
    const cancelledAt = Date.now();
    env.cancel();
    await expect(run).rejects.toBeInstanceOf(CancelledFailure);
    expect(Date.now() - cancelledAt).toBeGreaterThanOrEqual(450);
    for (const pid of pids) expect(isRunning(pid)).toBe(false);
  });

  it('stops processes the agent left running when it exits', async () => {
    const input = await stepInput('leaver');
    const started = Date.now();
    const result = await step(environment().env, input);
    expect(result.summary).toBe('done');
    expect(Date.now() - started).toBeLessThan(5000);
    const leftover = Number(await readFile(join(input.workspace, 'leftover.pid'), 'utf8'));
    await waitFor(() => !isRunning(leftover), 2000, 'the leftover to be stopped');
  });

  it("kills a previous attempt's orphaned agent named in the heartbeat details first", async () => {
    const input = await stepInput('quiet');
    const orphan = execa('sh', ['-c', 'sleep 300 & wait'], {
      detached: true,
      stdin: 'ignore',
      stdout: 'ignore',
      stderr: 'ignore',
      reject: false,
      env: { ORCHESTRATOR_SESSION_ID: input.sessionId },
    });
    const pgid = orphan.pid!;
    await waitFor(() => (processGroupMembers(pgid) ?? []).length >= 2, 5000, 'the orphan');
    const pids = (processGroupMembers(pgid) ?? []).map((p) => p.pid);
    const details: StepHeartbeat = {
      sessionId: input.sessionId,
      step: 1,
      host: hostname(),
      pid: pgid,
      pgid,
    };
    const { env } = environment({ heartbeatDetails: details, attempt: 2 });
    await step(env, input);
    await orphan;
    for (const pid of pids) expect(isRunning(pid)).toBe(false);
  });

  it("heartbeats through a slow setup, repeating the previous attempt's details until it spawns", async () => {
    const input = await stepInput('quiet');
    // An orphan that ignores SIGTERM: reclaiming it takes the whole kill grace (500 ms here).
    const orphan = execa('sh', ['-c', 'trap "" TERM; sleep 300'], {
      detached: true,
      stdin: 'ignore',
      reject: false,
      env: { ORCHESTRATOR_SESSION_ID: input.sessionId },
    });
    const pgid = orphan.pid!;
    await waitFor(() => (processGroupMembers(pgid) ?? []).length >= 2, 5000, 'the orphan');
    const details: StepHeartbeat = { sessionId: input.sessionId, step: 1, host: hostname(), pgid };
    const { env, heartbeats } = environment({
      heartbeatDetails: details,
      attempt: 2,
      heartbeatTimeoutMs: 300,
    });
    await step(env, input);
    await orphan;
    // Beats before the agent ran (a late first beat finds the attempt timed out), and they
    // name the orphan's group, not one this attempt has not started yet.
    expect(heartbeats[0]).toEqual(details);
    const own = heartbeats.find((beat) => beat.pgid !== pgid);
    expect(own?.pgid).toEqual(expect.any(Number));
  });

  it('archives what a killed attempt left only on the bus, before it logs itself', async () => {
    const input = await stepInput('quiet');
    // The killed attempt's last batch reached the bus, not the archive.
    await harness.bus.append(input.sessionId, [
      { kind: 'log', stream: 'stdout', line: 'from the killed attempt', ts: 1 },
    ]);
    await step(environment({ attempt: 2 }).env, input);
    const archived = await harness.archive.list(input.sessionId, { limit: 100 });
    const onBus = (await harness.bus.read(input.sessionId)).filter((e) => e.kind === 'log');
    expect(archived[0]?.line).toBe('from the killed attempt');
    expect(archived.map((l) => l.id)).toEqual(onBus.map((e) => e.id));
  });

  it('leaves alone a process group that is not provably the previous attempt', async () => {
    const input = await stepInput('quiet');
    const stranger = execa('sleep', ['300'], { detached: true, stdin: 'ignore', reject: false });
    const pgid = stranger.pid!;
    try {
      // Right host, but the process does not carry this session's ORCHESTRATOR_SESSION_ID.
      const details: StepHeartbeat = {
        sessionId: input.sessionId,
        step: 1,
        host: hostname(),
        pgid,
      };
      await step(environment({ heartbeatDetails: details, attempt: 2 }).env, input);
      expect(isRunning(pgid)).toBe(true);
    } finally {
      process.kill(-pgid, 'SIGKILL');
      await stranger;
    }
  });
});
