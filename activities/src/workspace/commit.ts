/**
 * The end of every agent step: everything in the workspace becomes one commit, whose sha is
 * the step's checkpoint. No commit when nothing changed, so a no-op step keeps the previous sha.
 *
 * One `git status` answers both questions a no-op step has (anything to stage? which HEAD?), so
 * the common case (a no-op step) costs one git process instead of three (add, diff, rev-parse).
 */
import { git, headSha } from './git.js';

export interface CommitResult {
  /** HEAD after the step; null when the repository still has no commits. */
  sha: string | null;
  changed: boolean;
}

export async function commitWorkspace(path: string, message: string): Promise<CommitResult> {
  const status = await workspaceStatus(path);
  if (!status.dirty) return { sha: status.head, changed: false };
  await git(['add', '--all'], { cwd: path });
  // What status lists may still stage to nothing: a file put back as it was, a conflict resolved
  // to HEAD during a merge (committing then would conclude the merge, which merge.ts owns).
  const staged = await git(['diff', '--cached', '--quiet'], { cwd: path, allowExitCodes: [1] });
  if (staged.exitCode === 0) return { sha: status.head, changed: false };
  // --no-verify: the repository's own hooks (linters, commit-msg rules) must not veto a
  // checkpoint; the agent's work is recorded as it is and reviewed later.
  await git(['commit', '--quiet', '--no-verify', '--message', message], { cwd: path });
  return { sha: await headSha(path), changed: true };
}

interface WorkspaceStatus {
  /** HEAD's sha, or null before the first commit. */
  head: string | null;
  /** Whether anything is modified, staged, deleted or untracked (ignored files do not count). */
  dirty: boolean;
}

/** `git status --porcelain=v2 --branch`: `# branch.oid <sha>` first, then a line per change. */
async function workspaceStatus(path: string): Promise<WorkspaceStatus> {
  // --untracked-files=normal: a repository configured to hide untracked files must not hide
  // them from the checkpoint (`add --all` stages them).
  const { stdout } = await git(
    ['status', '--porcelain=v2', '--branch', '--untracked-files=normal'],
    { cwd: path },
  );
  let head: string | null = null;
  let dirty = false;
  for (const line of stdout.split('\n')) {
    if (line.startsWith('# branch.oid ')) {
      const oid = line.slice('# branch.oid '.length).trim();
      head = oid === '(initial)' ? null : oid;
    } else if (line !== '' && !line.startsWith('#')) {
      dirty = true;
    }
  }
  return { head, dirty };
}
