/**
 * The stall watchdog through the runAgentStep activity (Temporal's MockActivityEnvironment),
 * with real processes, git workspaces and Postgres (the log archive).
 */
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusEntry } from '../logs/types.js';
import { isRunning, waitFor } from '../testing/processes.js';
import { createStepHarness, type StepHarness } from '../testing/step-harness.js';
import { headSha } from '../workspace/git.js';
import { parseAgentConfigs } from './config-file.js';
import { isProcessGroupAlive, processGroupMembers } from './process-group.js';
import { createAgentRegistry } from './registry.js';
import { DEFAULT_STALL_TIMEOUT_MS, formatSeconds, startStallWatchdog } from './stall-watchdog.js';

const agents = createAgentRegistry([
  {
    name: 'silent',
    kind: 'command',
    command: ['sh', '-c', 'echo start; sleep 30 & sleep 30'],
    stallTimeoutMs: 500,
  },
  {
    name: 'ticker',
    kind: 'command',
    command: [
      'sh',
      '-c',
      'i=0; while [ $i -lt 10 ]; do echo "tick $i"; i=$((i+1)); sleep 0.2; done; echo finished',
    ],
    stallTimeoutMs: 500,
  },
]);

let harness: StepHarness;
beforeAll(async () => {
  harness = await createStepHarness({ name: 'stall', agents });
});
afterAll(async () => {
  await harness?.close();
});
const stepInput = (agent: string, goal?: string) => harness.stepInput(agent, goal);
const environment = (...args: Parameters<StepHarness['environment']>) =>
  harness.environment(...args);
const step = (...args: Parameters<StepHarness['step']>) => harness.step(...args);

const logLines = (entries: BusEntry[]) =>
  entries.flatMap((e) => (e.kind === 'log' ? [`${e.stream}: ${e.line}`] : []));

describe('stall watchdog', () => {
  it('stops a silent agent (its whole process group) and fails the attempt with a retryable AgentStalledError', async () => {
    const input = await stepInput('silent');
    const before = await headSha(input.workspace);
    const { env, heartbeats } = environment({ attempt: 2 });
    let pids: number[] = [];
    const started = Date.now();
    const run = step(env, input);
    await waitFor(
      () => {
        const pgid = heartbeats.find((h) => h.pgid)?.pgid;
        pids = pgid ? (processGroupMembers(pgid) ?? []).map((p) => p.pid).filter(isRunning) : [];
        return pids.length >= 3; // sh and both sleeps
      },
      2000,
      'the agent and its children',
    );
    const error = await run.catch((e: unknown) => e);
    const elapsed = Date.now() - started;

    expect(error).toBeInstanceOf(ApplicationFailure);
    const failure = error as ApplicationFailure;
    expect(failure.type).toBe('AgentStalledError');
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toContain('Agent "silent" produced no output for 0.5 s');
    expect(failure.message).toContain('attempt 2');
    expect(failure.message).toContain('raise its stallTimeoutMs');
    expect(failure.message).toContain('check the agent');
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect(elapsed).toBeLessThan(2500);

    const pgid = heartbeats.find((h) => h.pgid)!.pgid!;
    expect(isProcessGroupAlive(pgid), `process group ${pgid} still runs`).toBe(false);
    for (const pid of pids) expect(isRunning(pid), `process ${pid} still runs`).toBe(false);

    const lines = logLines(await harness.bus.read(input.sessionId));
    expect(lines).toContain('stdout: start');
    expect(lines).toContain('system: ■ stalled: no output for 0.5 s; aborting (attempt 2)');
    expect(lines.some((l) => l.startsWith('system: ✔'))).toBe(false);
    expect(await headSha(input.workspace)).toBe(before);
  });

  it('lets an agent that keeps printing run past its stallTimeoutMs', async () => {
    const input = await stepInput('ticker');
    const started = Date.now();
    const result = await step(environment().env, input);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1800);
    expect(result).toMatchObject({ exitCode: 0, summary: 'finished', lines: 11 });
    const lines = logLines(await harness.bus.read(input.sessionId));
    expect(lines.some((l) => l.includes('stalled'))).toBe(false);
  });

  it('validates stallTimeoutMs on every kind of agent', () => {
    const entries = [
      { name: 'cmd', kind: 'command', command: ['true'] },
      { name: 'claude', kind: 'claude-code', model: 'sonnet' },
    ];
    for (const entry of entries) {
      const parse = (stallTimeoutMs: unknown) => () =>
        parseAgentConfigs([{ ...entry, stallTimeoutMs }], 'AGENTS_FILE x');
      for (const bad of [0, -1, 1.5, 'abc', '1000', null]) {
        expect(parse(bad)).toThrow('AGENTS_FILE x[0].stallTimeoutMs: expected a positive integer');
      }
      expect(parse(60_000)()[0]).toMatchObject({ stallTimeoutMs: 60_000 });
      expect(parse(undefined)()[0]?.stallTimeoutMs).toBeUndefined();
    }
    expect(DEFAULT_STALL_TIMEOUT_MS).toBe(600_000);
  });

  it('fires only after the configured silence, counted from the last touch', async () => {
    const watchdog = startStallWatchdog({ timeoutMs: 150 });
    try {
      for (let i = 0; i < 5; i++) {
        await new Promise((resolve) => setTimeout(resolve, 60));
        watchdog.touch();
      }
      expect(watchdog.signal.aborted).toBe(false);
      await waitFor(() => watchdog.signal.aborted, 1000, 'the stall');
      expect(watchdog.stall?.silentMs).toBeGreaterThanOrEqual(150);
      expect(watchdog.signal.reason).toBe(watchdog.stall);
    } finally {
      watchdog.stop();
    }
    expect(formatSeconds(60_000)).toBe('60 s');
    expect(formatSeconds(500)).toBe('0.5 s');
  });
});
