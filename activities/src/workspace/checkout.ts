/** Questions and moves every workspace module needs: is this a checkout, which branch is it on. */
import { realpath } from 'node:fs/promises';
import { git } from './git.js';
import { workspaceError } from './workspace-error.js';

/** Whether `path` is the top of a git work tree (and not merely inside some other one). */
export async function isCheckout(path: string): Promise<boolean> {
  const real = await realpath(path).catch(() => null);
  if (!real) return false;
  const result = await git(['rev-parse', '--show-toplevel'], { cwd: real, allowExitCodes: [128] });
  return result.exitCode === 0 && result.stdout.trim() === real;
}

/**
 * Refuses anything but a checkout's top folder: git run in a folder inside some other
 * repository would act on that repository, and a reset or clean there would destroy work that
 * is not the orchestrator's.
 */
export async function assertCheckout(path: string, what = 'Workspace'): Promise<void> {
  if (await isCheckout(path)) return;
  throw workspaceError(
    `${what} ${path} is not a git checkout (missing, or not the top of a work tree). ` +
      'Prepare the workspace first; if it was deleted, the session must start again.',
  );
}

/** The branch checked out at `path`, or null when HEAD is detached. */
export async function currentBranch(path: string): Promise<string | null> {
  const result = await git(['symbolic-ref', '--quiet', '--short', 'HEAD'], {
    cwd: path,
    allowExitCodes: [1],
  });
  return result.exitCode === 0 ? result.stdout.trim() : null;
}

export async function branchExists(path: string, branch: string): Promise<boolean> {
  const result = await git(['show-ref', '--verify', '--quiet', `refs/heads/${branch}`], {
    cwd: path,
    allowExitCodes: [1],
  });
  return result.exitCode === 0;
}

/**
 * Puts `path` on `branch`, creating it at `startPoint` (HEAD when absent) if it does not exist
 * yet: an agent may have switched branches, and the next step must work on the session's own.
 */
export async function checkoutBranch(
  path: string,
  branch: string,
  startPoint?: string,
): Promise<void> {
  if ((await currentBranch(path)) === branch) return;
  const args = (await branchExists(path, branch))
    ? ['checkout', '--quiet', branch]
    : ['checkout', '--quiet', '-b', branch, ...(startPoint ? [startPoint] : [])];
  await git(args, { cwd: path });
}
