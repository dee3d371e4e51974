/**
 * A fork: a new session whose workspace starts at a checkpoint of another session. It is cloned
 * from the origin session's workspace, not the repository, because the checkpoint's commit may
 * exist nowhere else (it was never pushed). Afterwards it must look like any other session's
 * clone: `origin` is the repository, `origin/*` its branches, the only local branch its own.
 */
import { join } from 'node:path';
import { currentBranch, isCheckout } from './checkout.js';
import { git } from './git.js';
import { resolveCommit } from './resolve-commit.js';
import { assertSessionId } from './session-id.js';
import { workspaceError } from './workspace-error.js';

export interface ForkOrigin {
  sessionId: string;
  /** The origin session's workspace. */
  path: string;
  /** The full id of the checkpoint the fork starts at. */
  commitSha: string;
  /** The repository the origin session cloned from. */
  remoteUrl: string;
}

/** Checks the origin before anything is cloned: its workspace, the commit, its repository. */
export async function resolveForkOrigin(
  sessionId: string,
  from: { sessionId: string; commitSha: string },
  workspacesDir: string,
): Promise<ForkOrigin> {
  assertSessionId(from.sessionId, 'Origin session id');
  if (from.sessionId === sessionId) {
    throw workspaceError(
      `Session ${sessionId} cannot be a fork of itself: give the fork a new session id.`,
    );
  }
  const path = join(workspacesDir, from.sessionId);
  if (!(await isCheckout(path))) {
    throw workspaceError(
      `Cannot fork session ${from.sessionId}: its workspace ${path} is gone (or is not a git ` +
        'checkout), and a fork starts from that workspace. Fork a session whose workspace ' +
        'still exists, or start a new session from the repository.',
    );
  }
  const commitSha = await resolveCommit(
    path,
    from.commitSha,
    `session ${from.sessionId}'s workspace ${path}`,
  );
  const remote = await git(['remote', 'get-url', 'origin'], { cwd: path, allowExitCodes: [2] });
  if (remote.exitCode !== 0) {
    throw workspaceError(
      `Cannot fork session ${from.sessionId}: its workspace ${path} has no "origin" remote, so ` +
        'the repository it came from is unknown.',
    );
  }
  return { sessionId: from.sessionId, path, commitSha, remoteUrl: remote.stdout.trim() };
}

/** Turns a fresh clone of the origin's workspace into the fork's workspace, on `branch`. */
export async function setUpFork(clone: string, origin: ForkOrigin, branch: string): Promise<void> {
  const trusted = { 'safe.directory': origin.path };
  const clonedBranch = await currentBranch(clone);
  // A checkpoint that was rewound away is only reachable from the origin's
  // refs/orchestrator/abandoned/*, which a clone does not copy.
  const present = await git(['rev-parse', '--verify', '--quiet', `${origin.commitSha}^{commit}`], {
    cwd: clone,
    allowExitCodes: [1],
  });
  if (present.exitCode !== 0) {
    // Fetching by id: the local upload-pack inherits `-c` settings, so it may serve any commit.
    await git(['fetch', '--quiet', '--no-tags', 'origin', origin.commitSha], {
      cwd: clone,
      config: { ...trusted, 'uploadpack.allowAnySHA1InWant': 'true' },
    });
  }
  await git(['checkout', '--quiet', '-b', branch, origin.commitSha], { cwd: clone });

  // The clone's origin/* are the origin workspace's own branches (its session and task
  // branches); the origin's origin/* are the repository's, which is what origin/* means.
  await git(
    [
      'fetch',
      '--quiet',
      '--prune',
      '--no-tags',
      'origin',
      '+refs/remotes/origin/*:refs/remotes/origin/*',
    ],
    { cwd: clone, config: trusted },
  );
  const originHead = await git(['symbolic-ref', '--quiet', 'refs/remotes/origin/HEAD'], {
    cwd: origin.path,
    allowExitCodes: [1, 128],
  });
  if (originHead.exitCode === 0) {
    await git(['symbolic-ref', 'refs/remotes/origin/HEAD', originHead.stdout.trim()], {
      cwd: clone,
    });
  }
  if (clonedBranch && clonedBranch !== branch) {
    await git(['branch', '--quiet', '-D', clonedBranch], { cwd: clone });
  }
  await git(['remote', 'set-url', 'origin', origin.remoteUrl], { cwd: clone });
}
