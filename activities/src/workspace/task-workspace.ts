/**
 * A task's workspace: a git worktree of the session's clone at `<workspacesDir>/<sessionId>.<taskPath>`
 * on branch `task/<sessionId>/<taskPath>`. Worktrees share the clone's object store and refs,
 * so a parent merges its children's branches without fetching. Preparing is idempotent, like
 * the session's: an existing worktree is reused as it is, commits and all.
 */
import { readdir, realpath, rmdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { PrepareTaskWorkspaceInput, PrepareWorkspaceResult } from '../contracts.js';
import { assertCheckout, branchExists, checkoutBranch, isCheckout } from './checkout.js';
import { git } from './git.js';
import type { WorkspaceSettings } from './prepare.js';
import { resolveCommit } from './resolve-commit.js';
import { assertSessionId } from './session-id.js';
import { workspaceError } from './workspace-error.js';

/** `2.1`: the task's place in the tree, 1-based at each level. */
const TASK_PATH = /^\d+(\.\d+)*$/;
const MAX_TASK_PATH_LENGTH = 100;

/** Worktree creation and checkouts must not run hooks an agent may have written into .git/hooks. */
const NO_HOOKS = { 'core.hooksPath': '/dev/null' };

export function taskBranch(sessionId: string, taskPath: string): string {
  return `task/${sessionId}/${taskPath}`;
}

export async function prepareTaskWorkspace(
  input: PrepareTaskWorkspaceInput,
  settings: WorkspaceSettings,
): Promise<PrepareWorkspaceResult> {
  assertSessionId(input.sessionId);
  if (!TASK_PATH.test(input.taskPath) || input.taskPath.length > MAX_TASK_PATH_LENGTH) {
    throw workspaceError(
      `Task path "${input.taskPath}" cannot name a workspace: expected numbers joined by dots, ` +
        `such as "2" or "2.1" (at most ${MAX_TASK_PATH_LENGTH} characters).`,
    );
  }
  if (input.baseSha === null) {
    throw workspaceError(
      `Task ${input.taskPath} of session ${input.sessionId} cannot get a workspace: the ` +
        'repository has no commits yet, and a task branch must start at a commit. Commit ' +
        'something first (e.g. let the session run a step before it plans sub-tasks).',
    );
  }
  const workspacesDir = resolve(settings.workspacesDir);
  return oneAtATime(join(workspacesDir, input.sessionId), () =>
    addTaskWorktree(input, workspacesDir, input.baseSha as string),
  );
}

/**
 * Worktree changes of one clone, one at a time in this process. Sibling tasks start together,
 * and a `git worktree list` reading `.git/worktrees/` while a sibling's `worktree add` is still
 * writing there failed with "failed to read …/commondir" (the activity's retry recovered; this
 * avoids it). Workers on other machines can still race; their retry covers it.
 */
const clones = new Map<string, Promise<unknown>>();
async function oneAtATime<T>(clone: string, work: () => Promise<T>): Promise<T> {
  const previous = clones.get(clone) ?? Promise.resolve();
  const current = previous.catch(() => undefined).then(work);
  clones.set(clone, current);
  try {
    return await current;
  } finally {
    if (clones.get(clone) === current) clones.delete(clone);
  }
}

async function addTaskWorktree(
  input: PrepareTaskWorkspaceInput,
  workspacesDir: string,
  inputBaseSha: string,
): Promise<PrepareWorkspaceResult> {
  const path = join(workspacesDir, `${input.sessionId}.${input.taskPath}`);
  const branch = taskBranch(input.sessionId, input.taskPath);
  const parent = input.parentWorkspace;
  await assertSameClone(parent, join(workspacesDir, input.sessionId));
  const baseSha = await resolveCommit(parent, inputBaseSha, `the parent workspace ${parent}`);

  const registered = await findWorktree(parent, path);
  if (registered && !registered.usable) {
    await discardWorktree(parent, registered);
  } else if (registered) {
    await checkoutBranch(path, branch, baseSha);
    return { path, branch, baseSha: input.baseSha };
  }
  await clearStrayDirectory(path);
  // An earlier attempt may have created the branch (and its steps committed on it) before
  // losing the worktree: the branch is picked up again rather than reset to the base.
  const args = (await branchExists(parent, branch))
    ? ['worktree', 'add', '--quiet', path, branch]
    : ['worktree', 'add', '--quiet', '-b', branch, path, baseSha];
  await git(args, { cwd: parent, config: NO_HOOKS });
  return { path, branch, baseSha: input.baseSha };
}

/**
 * The parent must be the session's clone or one of its worktrees: a task of one session must
 * never hang off another session's repository.
 */
async function assertSameClone(parent: string, sessionClone: string): Promise<void> {
  await assertCheckout(parent, 'Parent workspace');
  await assertCheckout(sessionClone, 'Session workspace');
  const [parentCommon, sessionCommon] = await Promise.all([
    commonDir(parent),
    commonDir(sessionClone),
  ]);
  if (parentCommon !== sessionCommon) {
    throw workspaceError(
      `Parent workspace ${parent} does not belong to the session's clone ${sessionClone}: ` +
        "a task's parent must be its session's workspace or another task's worktree of it.",
    );
  }
}

async function commonDir(path: string): Promise<string> {
  const result = await git(['rev-parse', '--path-format=absolute', '--git-common-dir'], {
    cwd: path,
  });
  return realpath(result.stdout.trim());
}

interface Worktree {
  path: string;
  /** False for a registration a retry must replace (see findWorktree). */
  usable: boolean;
}

/**
 * The registration of the worktree at `path`, if any. It is unusable when its folder is gone
 * (prunable), or when `git worktree add` died before finishing: git keeps such a worktree
 * locked with the reason "initializing" until the checkout is complete.
 */
async function findWorktree(repository: string, path: string): Promise<Worktree | null> {
  const wanted = await realPathOf(path);
  const list = await git(['worktree', 'list', '--porcelain', '-z'], { cwd: repository });
  for (const record of list.stdout.split('\0\0')) {
    const lines = record.split('\0').filter((line) => line !== '');
    const listed = lines.find((line) => line.startsWith('worktree '))?.slice('worktree '.length);
    if (listed === undefined || (await realPathOf(listed)) !== wanted) continue;
    const initializing = lines.includes('locked initializing');
    const prunable = lines.some((line) => line === 'prunable' || line.startsWith('prunable '));
    return { path: listed, usable: !initializing && !prunable && (await isCheckout(listed)) };
  }
  return null;
}

/** Resolves symlinks in the part of `path` that exists (git records worktrees resolved). */
async function realPathOf(path: string): Promise<string> {
  const real = await realpath(path).catch(() => null);
  if (real) return real;
  const parent = dirname(path);
  if (parent === path) return path;
  return join(await realPathOf(parent), basename(path));
}

async function discardWorktree(repository: string, worktree: Worktree): Promise<void> {
  await git(['worktree', 'unlock', worktree.path], { cwd: repository, allowExitCodes: [128] });
  await git(['worktree', 'remove', '--force', '--force', worktree.path], {
    cwd: repository,
    allowExitCodes: [128],
  });
  await git(['worktree', 'prune'], { cwd: repository });
}

/** An empty folder is a crashed attempt's; anything else at the path is not ours to replace. */
async function clearStrayDirectory(path: string): Promise<void> {
  const entries = await readdir(path).catch(() => null);
  if (entries === null) return;
  if (entries.length > 0) {
    throw workspaceError(
      `Task workspace ${path} exists but is not a worktree of the session's clone. Move it ` +
        'away (or remove it) and retry.',
    );
  }
  await rmdir(path);
}
