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
    await cloneInto(plan.source, workspacesDir, path, plan.setUp);
  }
  await checkoutBranch(path, branch);
  return { path, branch, baseSha: await headSha(path) };
}

interface ClonePlan {
  source: RepositorySource;
  /** Runs in the fresh clone before it moves into place. */
  setUp?: (clone: string) => Promise<void>;
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
  return { source };
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
 * checkout that the next attempt would take for a good one. `setUp` finishes the clone (a
 * fork's branch and remote) before the rename, for the same reason.
 */
async function cloneInto(
  source: RepositorySource,
  parent: string,
  path: string,
  setUp?: (clone: string) => Promise<void>,
): Promise<void> {
  const temp = join(parent, `.clone-${randomBytes(6).toString('hex')}`);
  const from = source.kind === 'url' ? source.url : source.path;
  try {
    await git(['clone', '--quiet', '--', from, temp], {
      config: source.kind === 'path' ? { 'safe.directory': source.path } : {},
    });
    await setUp?.(temp);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    // Another attempt may have finished the same clone meanwhile: theirs is as good as ours.
    if (await isCheckout(path)) return;
    throw error;
  }
}
