import { readProcessInfo } from '../agents/process-group.js';

/**
 * Whether a process runs: `kill(pid, 0)` succeeds and, where /proc tells, it is not a zombie
 * (a killed orphan that a non-reaping PID 1 leaves in the table is gone for our purposes).
 */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const info = readProcessInfo(pid);
  return info === null ? process.platform !== 'linux' : info.state !== 'Z';
}

export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
  what = 'a condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
