/**
 * Process groups: an agent runs as the leader of its own group (spawned detached), so stopping
 * it means signalling the group, which reaches every shell, language server and test runner it
 * started, not just the top process.
 *
 * "Alive" ignores zombies: where PID 1 does not reap orphans (some containers and sandboxes),
 * killed children stay in the process table as zombies, and `kill(-pgid, 0)` still succeeds.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessInfo {
  pid: number;
  /** Single-letter state from /proc (R, S, D, Z, …). */
  state: string;
  pgid: number;
}

function assertGroupId(pgid: number): void {
  // kill(-0) would signal our own group and kill(-1) every process we may signal: never.
  if (!Number.isSafeInteger(pgid) || pgid <= 1) {
    throw new RangeError(`Refusing to signal process group ${pgid}: expected an id above 1`);
  }
}

/** Every process of the group, from /proc; null where there is no /proc (macOS). */
export function processGroupMembers(pgid: number): ProcessInfo[] | null {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  const members: ProcessInfo[] = [];
  for (const pid of pids) {
    const info = readProcessInfo(Number(pid));
    if (info?.pgid === pgid) members.push(info);
  }
  return members;
}

export function readProcessInfo(pid: number): ProcessInfo | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may contain spaces: split after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, state: fields[0] ?? '?', pgid: Number(fields[2]) };
  } catch {
    return null;
  }
}

/** Whether any process of the group still runs (zombies do not count). */
export function isProcessGroupAlive(pgid: number): boolean {
  assertGroupId(pgid);
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    // EPERM: the group exists but belongs to someone else; ESRCH: no such group.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  const members = processGroupMembers(pgid);
  return members === null || members.some((member) => member.state !== 'Z');
}

function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

async function waitForGroupExit(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isProcessGroupAlive(pgid)) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

export type GroupKillResult = 'not-running' | 'terminated' | 'killed' | 'survived';

/**
 * SIGTERM to the group, then SIGKILL to whatever is left after `graceMs`: agents get a moment
 * to save state, but a stuck one cannot hold up a cancellation.
 */
export async function killProcessGroup(pgid: number, graceMs = 3_000): Promise<GroupKillResult> {
  assertGroupId(pgid);
  if (!isProcessGroupAlive(pgid) || !signalGroup(pgid, 'SIGTERM')) return 'not-running';
  if (await waitForGroupExit(pgid, graceMs)) return 'terminated';
  signalGroup(pgid, 'SIGKILL');
  return (await waitForGroupExit(pgid, 2_000)) ? 'killed' : 'survived';
}
