/**
 * A worker that crashed mid-step leaves its agent running: the agent leads its own process
 * group, so nothing kills it with the worker. Temporal retries the step (after the heartbeat
 * timeout), and the retry finds the previous attempt's group in the heartbeat details. If it
 * still runs on this host, it is killed first: two agents must never edit one workspace.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { AgentUsage } from '../contracts.js';
import { isProcessGroupAlive, killProcessGroup, processGroupMembers } from './process-group.js';

/**
 * What runAgentStep heartbeats: enough to find (and stop) its process group again, and to
 * resume the agent's own session on a retry.
 */
export interface StepHeartbeat {
  sessionId: string;
  step: number;
  host: string;
  pid?: number;
  pgid?: number;
  /** Output lines so far (progress for Temporal Web). */
  lines?: number;
  /** The agent's own session/thread id (Claude Code's session), once it has one. */
  agentSessionId?: string;
  /** The workspace HEAD when the step started. */
  workspaceHead?: string | null;
  /** The attempt that sent it (a retry's setup repeats its predecessor's details). */
  attempt?: number;
  /**
   * What the agent reported spending so far in this attempt: if its worker dies, the retry
   * records it as that lost attempt's usage instead of nothing.
   */
  usage?: AgentUsage;
}

export function parseStepHeartbeat(details: unknown): StepHeartbeat | null {
  if (typeof details !== 'object' || details === null) return null;
  const value = details as Partial<StepHeartbeat>;
  if (typeof value.sessionId !== 'string' || typeof value.host !== 'string') return null;
  return value as StepHeartbeat;
}

/**
 * Kills the previous attempt's process group when it is provably that attempt's: same host,
 * still alive, and (where /proc can tell) running with this session's ORCHESTRATOR_SESSION_ID.
 * A pgid alone could have been reused by an unrelated process since. Returns the pgid killed.
 */
export async function reclaimOrphanedStep(
  heartbeatDetails: unknown,
  sessionId: string,
  logger?: Pick<Logger, 'info' | 'warn'>,
  graceMs?: number,
): Promise<number | null> {
  const previous = parseStepHeartbeat(heartbeatDetails);
  const pgid = previous?.pgid;
  if (!previous || typeof pgid !== 'number' || !Number.isSafeInteger(pgid) || pgid <= 1)
    return null;
  if (previous.sessionId !== sessionId || previous.host !== hostname()) return null;
  if (!isProcessGroupAlive(pgid) || !belongsToSession(pgid, sessionId)) return null;
  logger?.info({ pgid, sessionId, step: previous.step }, "killing the previous attempt's agent");
  const result = await killProcessGroup(pgid, graceMs);
  if (result === 'survived')
    logger?.warn({ pgid }, "the previous attempt's agent survived SIGKILL");
  return pgid;
}

function belongsToSession(pgid: number, sessionId: string): boolean {
  const members = processGroupMembers(pgid);
  if (members === null) return true; // no /proc: same host and live pgid is all we can check
  const marker = `ORCHESTRATOR_SESSION_ID=${sessionId}`;
  return members.some((member) => {
    try {
      return readFileSync(`/proc/${member.pid}/environ`, 'utf8').split('\0').includes(marker);
    } catch {
      return false;
    }
  });
}
