/**
 * A session's workspace: its own clone of the repository at `<workspacesDir>/<sessionId>`, on
 * branch `session/<sessionId>`. A fork clones the origin session's workspace instead and starts
 * its branch at the origin's checkpoint (see fork.ts). Preparing is idempotent, because Temporal
 * may run it again (an activity retry after a worker crash, a session retried from the start):
 * an existing checkout is reused as it is, commits and all.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { PrepareWorkspaceInput, PrepareWorkspaceResult } from '../contracts.js';
import { checkoutBranch, isCheckout } from './checkout.js';
import { resolveForkOrigin, setUpFork } from './fork.js';
import { git, headSha } from './git.js';
import { resolveRepositorySource, type RepositorySource } from './repository-source.js';
import { assertSessionId } from './session-id.js';
import { workspaceError } from './workspace-error.js';

export interface WorkspaceSettings {
  /** Where session checkouts live. */
  workspacesDir: string;
  /** Local repositories must resolve inside one of these. */
  allowedRoots: string[];
}

export function sessionBranch(sessionId: string): string {
  return `session/${sessionId}`;
}

export async function prepareWorkspace(
  input: PrepareWorkspaceInput,
  settings: WorkspaceSettings,
): Promise<PrepareWorkspaceResult> {
  assertSessionId(input.sessionId);
  const workspacesDir = resolve(settings.workspacesDir);
  const path = join(workspacesDir, input.sessionId);
  const branch = sessionBranch(input.sessionId);

  if (!(await isCheckout(path))) {
    const plan = await planClone(input, settings, workspacesDir, branch);
    await mkdir(workspacesDir, { recursive: true });
    await clearEmptyDirectory(path);
    // The clone is put on the session's branch before it moves into place (setUp), so a fresh
    // workspace needs no further checks: it is on its branch, which is all checkoutBranch does.
    const created = await cloneInto(plan.source, workspacesDir, path, plan.setUp);
    if (created) return { path, branch, baseSha: await headSha(path) };
  }
  await checkoutBranch(path, branch);
  return { path, branch, baseSha: await headSha(path) };
}

interface ClonePlan {
  source: RepositorySource;
  /** Runs in the fresh clone before it moves into place. */
  setUp: (clone: string) => Promise<void>;
}

/** Checks the source before anything touches the disk, so a refusal leaves nothing behind. */
async function planClone(
  input: PrepareWorkspaceInput,
  settings: WorkspaceSettings,
  workspacesDir: string,
  branch: string,
): Promise<ClonePlan> {
  if (input.from) {
    const origin = await resolveForkOrigin(input.sessionId, input.from, workspacesDir);
    return {
      source: { kind: 'path', path: origin.path },
      setUp: (clone) => setUpFork(clone, origin, branch),
    };
  }
  const source = await resolveRepositorySource(input.repository, settings.allowedRoots);
  if (source.kind === 'path') await assertRepository(source.path);
  // A fresh clone is on the source's default branch and has no session branch yet.
  return { source, setUp: (clone) => createBranch(clone, branch) };
}

async function createBranch(clone: string, branch: string): Promise<void> {
  await git(['checkout', '--quiet', '-b', branch], { cwd: clone });
}

/**
 * A local source must be a repository itself: a work tree's top, or a bare repository. One git
 * call answers it: `--show-cdup` is empty at a work tree's top and `../…` in a folder below it.
 */
async function assertRepository(path: string): Promise<void> {
  const result = await git(
    [
      'rev-parse',
      '--is-bare-repository',
      '--absolute-git-dir',
      '--is-inside-work-tree',
      '--show-cdup',
    ],
    { cwd: path, allowExitCodes: [128], config: { 'safe.directory': path } },
  );
  const [isBare, gitDir, inWorkTree, cdup] = result.stdout.split('\n');
  if (result.exitCode === 0 && isBare === 'true' && gitDir === path) return;
  if (result.exitCode === 0 && isBare === 'false' && inWorkTree === 'true') {
    if (!cdup) return;
    throw workspaceError(
      `Repository path ${path} is not a git repository: it is a folder inside the repository ` +
        `${resolve(path, cdup)}. Name the repository's top folder, or run \`git init\` in ${path}.`,
    );
  }
  throw workspaceError(
    `Repository path ${path} is not a git repository. Run \`git init\` (and commit) there, or ` +
      'name a git URL instead.',
  );
}

/** A crashed attempt can leave an empty directory behind; anything else there is not ours. */
async function clearEmptyDirectory(path: string): Promise<void> {
  const entries = await readdir(path).catch(() => null);
  if (entries === null) return;
  if (entries.length > 0) {
    throw workspaceError(
      `Workspace ${path} exists but is not a git checkout. Move it away (or remove it) and retry.`,
    );
  }
  await rmdir(path);
}

/**
 * Clones next to the target and renames into place, so the workspace path only ever holds a
 * complete clone: a worker dying mid-clone leaves a stray temp directory, not a broken
 * checkout that the next attempt would take for a good one. `setUp` finishes the clone (the
 * session's branch; a fork's branch and remote) before the rename, for the same reason.
 * Returns false when another attempt's clone got there first (and was kept).
 */
async function cloneInto(
  source: RepositorySource,
  parent: string,
  path: string,
  setUp: (clone: string) => Promise<void>,
): Promise<boolean> {
  const temp = join(parent, `.clone-${randomBytes(6).toString('hex')}`);
  const from = source.kind === 'url' ? source.url : source.path;
  try {
    await git(['clone', '--quiet', '--', from, temp], {
      config: source.kind === 'path' ? { 'safe.directory': source.path } : {},
    });
    await setUp(temp);
    await rename(temp, path);
    return true;
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    // Another attempt may have finished the same clone meanwhile: theirs is as good as ours.
    if (await isCheckout(path)) return false;
    throw error;
  }
}
