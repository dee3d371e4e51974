/**
 * Bringing finished tasks' branches into their parent's workspace, one merge commit each, in
 * the order the plan gives. A conflict stops the run with the merge left in progress, for a
 * resolver agent whose step commit concludes it; calling again then carries on where it
 * stopped. Every call is idempotent: a branch already merged is not merged again.
 */
import { git, headSha } from './git.js';
import { assertCheckout } from './checkout.js';
import type { ConflictCheckResult, MergeBranchesInput, MergeBranchesResult } from '../contracts.js';
import { workspaceError } from './workspace-error.js';

/**
 * Merges run no hooks (`--no-verify` skips pre-merge-commit and commit-msg; an empty hooks path
 * also post-merge), and rerere must not resolve conflicts behind the resolver's back.
 */
const MERGE_CONFIG = { 'core.hooksPath': '/dev/null', 'rerere.enabled': 'false' };

export async function mergeBranches(input: MergeBranchesInput): Promise<MergeBranchesResult> {
  const { workspace } = input;
  await assertCheckout(workspace);
  if ((await headSha(workspace)) === null) {
    throw workspaceError(
      `Workspace ${workspace} has no commits yet: there is nothing to merge into.`,
    );
  }
  const merged: string[] = [];
  for (const branch of input.branches) {
    const tip = await branchTip(workspace, branch);
    if (await isAncestor(workspace, tip)) {
      merged.push(branch);
      continue;
    }
    const inProgress = await mergeHead(workspace);
    if (inProgress !== null) {
      if (inProgress !== tip) {
        throw workspaceError(
          `Workspace ${workspace} is in the middle of merging ${inProgress}, not ${branch} ` +
            `(${tip}). Conclude that merge with a commit, or reset the workspace, and retry.`,
        );
      }
      const unresolved = await unresolvedFiles(workspace);
      if (unresolved.length > 0) return conflict(workspace, merged, branch, unresolved);
      // Resolved but not committed: a resolution identical to HEAD leaves nothing for a
      // step's commit to record, so the merge is concluded here.
      await git(['commit', '--quiet', '--no-verify', '--no-edit'], {
        cwd: workspace,
        config: MERGE_CONFIG,
      });
      merged.push(branch);
      continue;
    }
    await assertNoLocalChanges(workspace, branch);
    const result = await git(
      [
        'merge',
        '--no-ff',
        '--no-edit',
        '--no-verify',
        '-m',
        `merge ${branch}`,
        `refs/heads/${branch}`,
      ],
      { cwd: workspace, allowExitCodes: [1, 2, 128], config: MERGE_CONFIG },
    );
    if (result.exitCode !== 0) {
      if ((await mergeHead(workspace)) === tip) {
        return conflict(workspace, merged, branch, await unmergedFiles(workspace));
      }
      throw workspaceError(
        `Merging ${branch} into ${workspace} failed before it started: ` +
          `${(result.stderr || result.stdout).trim()}`,
      );
    }
    merged.push(branch);
  }
  return { status: 'merged', merged, headSha: await headSha(workspace) };
}

/**
 * What is left to resolve: unmerged files, and tracked files holding conflict markers. When
 * HEAD is a merge (or one is in progress), markers count only in files that merge changed
 * against its first parent, so a repository that keeps marker-like lines on purpose (a test
 * fixture, git's own documentation) is not flagged forever.
 */
export async function checkConflicts(input: { workspace: string }): Promise<ConflictCheckResult> {
  await assertCheckout(input.workspace);
  return { unresolved: await unresolvedFiles(input.workspace) };
}

async function conflict(
  workspace: string,
  merged: string[],
  branch: string,
  files: string[],
): Promise<MergeBranchesResult> {
  return { status: 'conflict', merged, branch, files, headSha: await headSha(workspace) };
}

async function branchTip(workspace: string, branch: string): Promise<string> {
  const result = branch.startsWith('-')
    ? null
    : await git(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`], {
        cwd: workspace,
        allowExitCodes: [1, 128],
      });
  if (result?.exitCode !== 0) {
    throw workspaceError(
      `Branch "${branch}" does not exist in workspace ${workspace}: only the session's own ` +
        'branches (its task branches) can be merged.',
    );
  }
  return result.stdout.trim();
}

async function isAncestor(workspace: string, commit: string): Promise<boolean> {
  const result = await git(['merge-base', '--is-ancestor', commit, 'HEAD'], {
    cwd: workspace,
    allowExitCodes: [1],
  });
  return result.exitCode === 0;
}

/** The commit being merged when a merge stopped for conflicts; null when none is. */
async function mergeHead(workspace: string): Promise<string | null> {
  const result = await git(['rev-parse', '--verify', '--quiet', 'MERGE_HEAD'], {
    cwd: workspace,
    allowExitCodes: [1],
  });
  return result.exitCode === 0 ? result.stdout.trim() : null;
}

/**
 * A merge over uncommitted changes would mix them into the merge commit (or refuse). Steps
 * commit everything, so changes here are debris of a crash or of a human, to be looked at.
 */
async function assertNoLocalChanges(workspace: string, branch: string): Promise<void> {
  const diff = await git(['diff', '--name-only', '-z', 'HEAD'], { cwd: workspace });
  const files = nulSeparated(diff.stdout);
  if (files.length === 0) return;
  throw workspaceError(
    `Workspace ${workspace} has uncommitted changes (${files.slice(0, 10).join(', ')}` +
      `${files.length > 10 ? ', …' : ''}), so ${branch} cannot be merged into it. Commit or ` +
      'discard them (or reset the workspace to a checkpoint) and retry.',
  );
}

async function unmergedFiles(workspace: string): Promise<string[]> {
  const result = await git(['diff', '--name-only', '-z', '--diff-filter=U'], { cwd: workspace });
  return nulSeparated(result.stdout);
}

async function unresolvedFiles(workspace: string): Promise<string[]> {
  const [unmerged, markers] = await Promise.all([
    unmergedFiles(workspace),
    filesWithMarkers(workspace),
  ]);
  return [...new Set([...unmerged, ...markers])].sort();
}

async function filesWithMarkers(workspace: string): Promise<string[]> {
  const grep = await git(['grep', '-l', '-z', '-I', '-E', '-e', '^(<<<<<<<|>>>>>>>) '], {
    cwd: workspace,
    allowExitCodes: [1],
  });
  const found = nulSeparated(grep.stdout);
  const base = await mergeBase(workspace);
  if (found.length === 0 || base === null) return found;
  const changed = await git(['diff', '--name-only', '-z', '--no-renames', base], {
    cwd: workspace,
  });
  const touched = new Set(nulSeparated(changed.stdout));
  return found.filter((file) => touched.has(file));
}

/**
 * The state the merge started from: HEAD while a merge is in progress, the first parent when
 * HEAD is the merge commit that concluded it; null when HEAD is no merge at all.
 */
async function mergeBase(workspace: string): Promise<string | null> {
  if ((await mergeHead(workspace)) !== null) return 'HEAD';
  const second = await git(['rev-parse', '--verify', '--quiet', 'HEAD^2'], {
    cwd: workspace,
    allowExitCodes: [1, 128],
  });
  return second.exitCode === 0 ? 'HEAD^1' : null;
}

function nulSeparated(output: string): string[] {
  return output.split('\0').filter((entry) => entry !== '');
}
