import { isAbsolute, relative, resolve } from 'node:path';

const GIT_URL = /^(https?:\/\/|ssh:\/\/|git:\/\/|[\w.-]+@[\w.-]+:)\S+$/;

/**
 * Early check of a session's repository, so a bad one is a 400 naming the field rather than a
 * failed session. The workspace activity checks again with the real filesystem (symlinks).
 */
export function checkRepository(repository: string, allowedRoots: string[]): string | null {
  if (GIT_URL.test(repository)) return null;
  if (!isAbsolute(repository)) {
    return 'Expected a git URL (https://, ssh://, git://, user@host:path) or an absolute local path';
  }
  const target = resolve(repository);
  const inside = allowedRoots.some((root) => {
    const rel = relative(resolve(root), target);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  });
  if (inside) return null;
  return allowedRoots.length === 0
    ? 'Local paths are disabled on this server (ALLOWED_REPO_ROOTS is empty); use a git URL'
    : `Local paths must be under an allowed root (${allowedRoots.join(', ')}); set ALLOWED_REPO_ROOTS to allow more`;
}
