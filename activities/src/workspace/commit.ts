/**
 * The end of every agent step: everything in the workspace becomes one commit, whose sha is
 * the step's checkpoint. No commit when nothing changed, so a no-op step keeps the previous sha.
 */
import { git, headSha } from './git.js';

export interface CommitResult {
  /** HEAD after the step; null when the repository still has no commits. */
  sha: string | null;
  changed: boolean;
}

export async function commitWorkspace(path: string, message: string): Promise<CommitResult> {
  await git(['add', '--all'], { cwd: path });
  const diff = await git(['diff', '--cached', '--quiet'], { cwd: path, allowExitCodes: [1] });
  const changed = diff.exitCode === 1;
  if (changed) {
    // --no-verify: the repository's own hooks (linters, commit-msg rules) must not veto a
    // checkpoint; the agent's work is recorded as it is and reviewed later.
    await git(['commit', '--quiet', '--no-verify', '--message', message], { cwd: path });
  }
  return { sha: await headSha(path), changed };
}
