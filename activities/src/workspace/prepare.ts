/**
 * A session's workspace: its own clone of the repository at `<workspacesDir>/<sessionId>`, on
 * branch `session/<sessionId>`. Preparing is idempotent, because Temporal may run it again (an
 * activity retry after a worker crash, a session retried from the start): an existing checkout
 * is reused as it is, commits and all.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, realpath, rename, rm, rmdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { PrepareWorkspaceInput, PrepareWorkspaceResult } from '../contracts.js';
import { git, headSha } from './git.js';
import { resolveRepositorySource, type RepositorySource } from './repository-source.js';
import { workspaceError } from './workspace-error.js';

export interface WorkspaceSettings {
  /** Where session checkouts live. */
  workspacesDir: string;
  /** Local repositories must resolve inside one of these. */
  allowedRoots: string[];
}

/** Session ids become directory and branch names: no separators, no dot-dot, no leading dash. */
const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

export function sessionBranch(sessionId: string): string {
  return `session/${sessionId}`;
}

export async function prepareWorkspace(
  input: PrepareWorkspaceInput,
  settings: WorkspaceSettings,
): Promise<PrepareWorkspaceResult> {
  if (!SESSION_ID.test(input.sessionId)) {
    throw workspaceError(
      `Session id "${input.sessionId}" cannot name a workspace: expected 1-128 letters, digits, ` +
        '"-" or "_", starting with a letter or digit.',
    );
  }
  const workspacesDir = resolve(settings.workspacesDir);
  const path = join(workspacesDir, input.sessionId);
  const branch = sessionBranch(input.sessionId);

  if (!(await isCheckout(path))) {
    const source = await resolveRepositorySource(input.repository, settings.allowedRoots);
    if (source.kind === 'path') await assertRepository(source.path);
    await mkdir(workspacesDir, { recursive: true });
    await clearEmptyDirectory(path);
    await cloneInto(source, workspacesDir, path);
  }
  await checkoutBranch(path, branch);
  return { path, branch, baseSha: await headSha(path) };
}

/** Whether `path` is the top of a git work tree (and not merely inside some other one). */
async function isCheckout(path: string): Promise<boolean> {
  const real = await realpath(path).catch(() => null);
  if (!real) return false;
  const result = await git(['rev-parse', '--show-toplevel'], { cwd: real, allowExitCodes: [128] });
  return result.exitCode === 0 && result.stdout.trim() === real;
}

/** A local source must be a repository itself: a work tree's top, or a bare repository. */
async function assertRepository(path: string): Promise<void> {
  const trusted = { 'safe.directory': path };
  const bare = await git(['rev-parse', '--is-bare-repository', '--absolute-git-dir'], {
    cwd: path,
    allowExitCodes: [128],
    config: trusted,
  });
  const [isBare, gitDir] = bare.stdout.trim().split('\n');
  if (bare.exitCode === 0 && isBare === 'true' && gitDir === path) return;
  if (bare.exitCode === 0 && isBare === 'false') {
    const top = await git(['rev-parse', '--show-toplevel'], { cwd: path, config: trusted });
    if (top.stdout.trim() === path) return;
    throw workspaceError(
      `Repository path ${path} is not a git repository: it is a folder inside the repository ` +
        `${top.stdout.trim()}. Name the repository's top folder, or run \`git init\` in ${path}.`,
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
 * checkout that the next attempt would take for a good one.
 */
async function cloneInto(source: RepositorySource, parent: string, path: string): Promise<void> {
  const temp = join(parent, `.clone-${randomBytes(6).toString('hex')}`);
  const from = source.kind === 'url' ? source.url : source.path;
  try {
    await git(['clone', '--quiet', '--', from, temp], {
      config: source.kind === 'path' ? { 'safe.directory': source.path } : {},
    });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    // Another attempt may have finished the same clone meanwhile: theirs is as good as ours.
    if (await isCheckout(path)) return;
    throw error;
  }
}

async function checkoutBranch(path: string, branch: string): Promise<void> {
  const current = await git(['symbolic-ref', '--quiet', '--short', 'HEAD'], {
    cwd: path,
    allowExitCodes: [1],
  });
  if (current.stdout.trim() === branch) return;
  const exists = await git(['show-ref', '--verify', '--quiet', `refs/heads/${branch}`], {
    cwd: path,
    allowExitCodes: [1],
  });
  await git(
    exists.exitCode === 0 ? ['checkout', '--quiet', branch] : ['checkout', '--quiet', '-b', branch],
    {
      cwd: path,
    },
  );
}
