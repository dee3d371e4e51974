/**
 * Processes an agent started outside its own process group. Some agents run the model's shell
 * commands in a session of their own (OpenCode's bash tool spawns them detached; a `command`
 * agent's script may `setsid` a server), so stopping the agent's group leaves them running: a
 * `sleep 300 &`, a dev server, a watcher. They still carry the step's identity in their
 * environment (orchestrator-environment.ts), which is how they are found here, in /proc, and
 * stopped: SIGTERM, SIGKILL after the grace period. runAgentStep sweeps them for every kind,
 * before an attempt starts and after it ends.
 *
 * Before an attempt starts, whatever carries the step's identity is a leftover of an earlier
 * attempt (two agents must never share a workspace). When it ends, it stops only what carries
 * its own attempt id: a later attempt may already run (the old one is cancelled at its next
 * heartbeat, after the new one started).
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { AgentStepInput } from '../contracts.js';
import { readProcessInfo } from './process-group.js';

/**
 * Which step a process belongs to. Step numbers count per workflow, so the task's path is part
 * of it: step 1 of task 1 and step 1 of task 2 may run at once, with the same agent.
 */
export interface StepIdentity {
  sessionId: string;
  step: number;
  agent: string;
  /** '' for the session's own steps. */
  taskPath: string;
  /**
   * One attempt of the step (AgentStepInput.attemptId). Without it, the identity matches every
   * attempt's processes: what an attempt sweeps before it starts (its predecessors' leftovers,
   * of whichever run). With it, only that attempt's: what it sweeps when it ends, so a later
   * attempt that already started (a rewound tree's, a retry after a timeout) is left alone.
   */
  attemptId?: string;
}

export function stepIdentityOf(
  agent: string,
  input: Pick<AgentStepInput, 'sessionId' | 'step' | 'taskPath' | 'attemptId'>,
): StepIdentity {
  return {
    sessionId: input.sessionId,
    step: input.step,
    agent,
    taskPath: input.taskPath ?? '',
    ...(input.attemptId ? { attemptId: input.attemptId } : {}),
  };
}

/** The variables every agent process of the step carries (orchestrator-environment.ts). */
export function stepIdentityEnvironment(identity: StepIdentity): Record<string, string> {
  return {
    ORCHESTRATOR_SESSION_ID: identity.sessionId,
    ORCHESTRATOR_STEP: String(identity.step),
    ORCHESTRATOR_AGENT: identity.agent,
    ORCHESTRATOR_TASK_PATH: identity.taskPath,
    ...(identity.attemptId ? { ORCHESTRATOR_ATTEMPT_ID: identity.attemptId } : {}),
  };
}

/** Pids of the live (not zombie) processes whose environment carries the step's identity. */
export function stepProcesses(identity: StepIdentity): number[] {
  const markers = Object.entries(stepIdentityEnvironment(identity)).map(
    ([name, value]) => `${name}=${value}`,
  );
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return []; // no /proc (macOS): the process group is all there is to go by
  }
  return pids.map(Number).filter((pid) => {
    if (pid === process.pid) return false;
    let environ: string[];
    try {
      environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    } catch {
      return false;
    }
    return markers.every((marker) => environ.includes(marker)) && isLive(pid);
  });
}

/** Stops the step's leftover processes; returns how many there were. */
export async function stopStepProcesses(identity: StepIdentity, graceMs = 3_000): Promise<number> {
  const found = stepProcesses(identity);
  if (found.length === 0) return 0;
  for (const pid of found) signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (found.some(isLive) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const survivors = found.filter(isLive);
  for (const pid of survivors) signal(pid, 'SIGKILL');
  const killed = Date.now() + 2_000;
  while (survivors.some(isLive) && Date.now() < killed) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return found.length;
}

function isLive(pid: number): boolean {
  const info = readProcessInfo(pid);
  return info !== null && info.state !== 'Z';
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}
