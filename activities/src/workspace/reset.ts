/**
 * Time travel: the workspace goes back to a checkpoint's commit when the workflow is reset to
 * it. Nothing is lost: the head it leaves stays reachable from `refs/orchestrator/abandoned/*`.
 */
import { assertCheckout } from './checkout.js';
import { git, headSha } from './git.js';
import { resolveCommit } from './resolve-commit.js';

export const ABANDONED_REF_PREFIX = 'refs/orchestrator/abandoned/';

export interface ResetResult {
  /** False when HEAD already was the commit (nothing was touched). */
  reset: boolean;
  /** HEAD before the call (null in a repository without commits). */
  previousHead: string | null;
}

export async function resetWorkspaceTo(path: string, sha: string): Promise<ResetResult> {
  await assertCheckout(path);
  const target = await resolveCommit(path, sha, `workspace ${path}`);
  const previousHead = await headSha(path);
  // A merge left in progress for a resolver sits at the commit it started from: HEAD being the
  // target means the step starts here, conflict and all.
  if (previousHead === target) return { reset: false, previousHead };
  if (previousHead !== null) {
    // Before the reset, so a crash between the two cannot leave the old head unreferenced.
    await git(['update-ref', `${ABANDONED_REF_PREFIX}${previousHead}`, previousHead], {
      cwd: path,
    });
  }
  // `reset --hard` also ends a merge in progress (MERGE_HEAD and its conflicts go).
  await git(['reset', '--quiet', '--hard', target], { cwd: path });
  // Untracked files only, in this work tree only; ignored files (caches, installed
  // dependencies) stay, as do nested repositories (those would need -ff).
  await git(['clean', '--quiet', '-fd'], { cwd: path });
  return { reset: true, previousHead };
}
