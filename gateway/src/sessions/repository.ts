import { isAbsolute, resolve } from 'node:path';
import { isGitUrl, isPathInside } from '@orchestrator/activities/workspace/repository-source';

/**
 * Early check of a session's repository, so a bad one is a 400 naming the field rather than a
 * failed session. Same rules as the workspace activity, which checks again on the worker's
 * filesystem (symlinks resolved); the gateway may not see that filesystem, so it checks lexically.
 */
export function checkRepository(repository: string, allowedRoots: string[]): string | null {
  if (isGitUrl(repository)) return null;
  if (!isAbsolute(repository)) {
    return 'Expected a git URL (https://, ssh://, git://, user@host:path) or an absolute local path';
  }
  const target = resolve(repository);
  if (allowedRoots.some((root) => isPathInside(resolve(root), target))) return null;
  return allowedRoots.length === 0
    ? 'Local paths are disabled on this server (ALLOWED_REPO_ROOTS is empty); use a git URL'
    : `Local paths must be under an allowed root (${allowedRoots.join(', ')}); set ALLOWED_REPO_ROOTS to allow more`;
}
