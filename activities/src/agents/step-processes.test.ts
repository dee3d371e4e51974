import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { isRunning } from '../testing/processes.js';
import { stepProcesses, stopStepProcesses } from './step-processes.js';

const identity = { sessionId: `sp${Date.now().toString(36)}`, step: 3, agent: 'oc' };
const started: ChildProcess[] = [];

/** A `sleep` in a session of its own (as OpenCode runs the model's commands), for `step`. */
function detachedSleep(step: number, trapTerm = false): number {
  const script = trapTerm ? "trap '' TERM; sleep 60 & wait" : 'exec sleep 60';
  const child = spawn('sh', ['-c', script], {
    detached: true,
    stdio: 'ignore',
    env: {
      PATH: process.env.PATH,
      ORCHESTRATOR_SESSION_ID: identity.sessionId,
      ORCHESTRATOR_STEP: String(step),
      ORCHESTRATOR_AGENT: identity.agent,
    },
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
    const ours = detachedSleep(identity.step);
    const stubborn = detachedSleep(identity.step, true);
    const otherStep = detachedSleep(identity.step + 1);
    await expect.poll(() => stepProcesses(identity).length).toBeGreaterThanOrEqual(3);
    const found = stepProcesses(identity);
    expect(found).toEqual(expect.arrayContaining([ours, stubborn]));
    expect(found).not.toContain(otherStep);

    // The stubborn one ignores SIGTERM (so does its shell): SIGKILL after the grace period.
    expect(await stopStepProcesses(identity, 300)).toBe(found.length);
    for (const pid of found) expect(isRunning(pid), `process ${pid}`).toBe(false);
    expect(stepProcesses(identity)).toEqual([]);
    expect(isRunning(otherStep)).toBe(true);
    expect(await stopStepProcesses(identity)).toBe(0);
  });
});
