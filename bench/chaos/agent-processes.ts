/**
 * Agent processes still running for a set of sessions, found in /proc by the
 * ORCHESTRATOR_SESSION_ID every agent process inherits (zombies do not count: they no longer
 * run, whatever a non-reaping PID 1 leaves in the table).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { isRunning } from '@orchestrator/activities/testing/processes';

export interface AgentProcess {
  pid: number;
  sessionId: string;
}

const MARKER = 'ORCHESTRATOR_SESSION_ID=';

export function runningAgentProcesses(sessionIds: ReadonlySet<string>): AgentProcess[] {
  const found: AgentProcess[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${name}/environ`, 'utf8');
    } catch {
      continue; // gone meanwhile, or not ours to read
    }
    const entry = environ.split('\0').find((variable) => variable.startsWith(MARKER));
    const sessionId = entry?.slice(MARKER.length);
    const pid = Number(name);
    if (sessionId && sessionIds.has(sessionId) && isRunning(pid)) found.push({ pid, sessionId });
  }
  return found;
}
