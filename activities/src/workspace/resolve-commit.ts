import { git } from './git.js';
import { workspaceError } from './workspace-error.js';

/**
 * A commit id as callers may give it: hex only, so it can never be read as an option or a
 * revision expression (`HEAD~3`, `main@{1}`), which would let a caller name commits by other means.
 */
export const COMMIT_ID = /^[0-9a-f]{7,64}$/;

/**
 * The full id of commit `sha` in the repository at `cwd`, or a non-retryable error saying the
 * id is malformed or unknown there (`where` names the repository in the message).
 */
export async function resolveCommit(cwd: string, sha: string, where: string): Promise<string> {
  if (!COMMIT_ID.test(sha)) {
    throw workspaceError(
      `"${sha}" is not a commit id: expected 7-64 lowercase hexadecimal characters.`,
    );
  }
  const result = await git(['rev-parse', '--verify', '--quiet', `${sha}^{commit}`], {
    cwd,
    allowExitCodes: [1, 128],
  });
  if (result.exitCode !== 0) {
    throw workspaceError(
      `Commit ${sha} does not exist in ${where} (or the abbreviation is ambiguous there). ` +
        'Name a commit of that workspace, e.g. a checkpoint sha of the session.',
    );
  }
  return result.stdout.trim();
}
