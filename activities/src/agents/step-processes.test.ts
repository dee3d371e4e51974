import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { isRunning } from '../testing/processes.js';
import { agentStateDir } from './agent-state-dir.js';
import { claudeEnvironment } from './claude-code.js';
import { codexEnvironment } from './codex.js';
import { agentEnvironment } from './command.js';
import { opencodeEnvironment } from './opencode-environment.js';
import {
  stepIdentityEnvironment,
  stepIdentityOf,
  stepProcesses,
  stopStepProcesses,
  type StepIdentity,
} from './step-processes.js';
import type { AgentKind } from './types.js';

const identity: StepIdentity = {
  sessionId: `sp${Date.now().toString(36)}`,
  step: 3,
  agent: 'oc',
  taskPath: '2',
};
const started: ChildProcess[] = [];

/** A `sleep` in a session of its own (as OpenCode runs the model's commands), for `of`. */
function detachedSleep(of: Partial<StepIdentity>, trapTerm = false): number {
  const script = trapTerm ? "trap '' TERM; sleep 60 & wait" : 'exec sleep 60';
  const child = spawn('sh', ['-c', script], {
    detached: true,
    stdio: 'ignore',
    env: { PATH: process.env.PATH, ...stepIdentityEnvironment({ ...identity, ...of }) },
  });
  started.push(child);
  return child.pid!;
}

afterEach(() => {
  for (const child of started.splice(0)) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

describe('step processes', () => {
  it("finds and stops what carries the step's identity, outside any known process group", async () => {
    const ours = detachedSleep({});
    const stubborn = detachedSleep({}, true);
    const otherStep = detachedSleep({ step: identity.step + 1 });
    // Step numbers count per task: the same step of a sibling task is not this step.
    const otherTask = detachedSleep({ taskPath: '1' });
    await expect.poll(() => stepProcesses(identity).length).toBeGreaterThanOrEqual(3);
    const found = stepProcesses(identity);
    expect(found).toEqual(expect.arrayContaining([ours, stubborn]));
    expect(found).not.toContain(otherStep);
    expect(found).not.toContain(otherTask);

    // The stubborn one ignores SIGTERM (so does its shell): SIGKILL after the grace period.
    expect(await stopStepProcesses(identity, 300)).toBe(found.length);
    for (const pid of found) expect(isRunning(pid), `process ${pid}`).toBe(false);
    expect(stepProcesses(identity)).toEqual([]);
    expect(isRunning(otherStep)).toBe(true);
    expect(isRunning(otherTask)).toBe(true);
    expect(await stopStepProcesses(identity)).toBe(0);
  });
});

describe('step processes of one attempt', () => {
  it("an attempt's final sweep stops its own processes, not a later attempt's", async () => {
    const earlier = detachedSleep({ attemptId: 'wf/run-a/3/1' });
    const later = detachedSleep({ attemptId: 'wf/run-b/3/1' });
    await expect.poll(() => stepProcesses(identity).length).toBe(2);
    // What the earlier attempt sweeps when it ends.
    expect(await stopStepProcesses({ ...identity, attemptId: 'wf/run-a/3/1' }, 300)).toBe(1);
    expect(isRunning(earlier)).toBe(false);
    expect(isRunning(later)).toBe(true);
    // What a new attempt sweeps before it starts: every attempt's leftovers.
    expect(await stopStepProcesses(identity, 300)).toBe(1);
    expect(isRunning(later)).toBe(false);
  });
});

describe("every kind's agent carries the step's identity", () => {
  const input = {
    sessionId: 's9',
    agent: 'x',
    goal: 'g',
    workspace: '/w/s9',
    step: 4,
    taskPath: '1.2',
    attemptId: 'session-s9.1.2/r/3/2',
  };
  const state = agentStateDir(input.workspace, 'x');
  // An agent's configured env must not hide it from the sweep.
  const env = { ORCHESTRATOR_SESSION_ID: 'other', ORCHESTRATOR_STEP: '1' };
  const environments: Record<AgentKind, Record<string, string>> = {
    command: agentEnvironment({ name: 'x', kind: 'command', command: ['true'], env }, input),
    'claude-code': claudeEnvironment(
      { name: 'x', kind: 'claude-code', model: 'sonnet', env },
      input,
      state,
      {},
    ),
    codex: codexEnvironment({ name: 'x', kind: 'codex', model: 'gpt', env }, input, state, {}),
    opencode: opencodeEnvironment(
      { name: 'x', kind: 'opencode', model: 'acme/m', env },
      input,
      state,
      {},
      'pw',
    ),
  };
  it.each(Object.entries(environments))('%s', (_kind, environment) => {
    expect(environment).toMatchObject(stepIdentityEnvironment(stepIdentityOf('x', input)));
    expect(environment.ORCHESTRATOR_TASK_PATH).toBe('1.2');
    expect(environment.ORCHESTRATOR_ATTEMPT_ID).toBe('session-s9.1.2/r/3/2');
  });
});
