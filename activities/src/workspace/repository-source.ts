/**
 * What a session's `repository` string may name: a git URL (cloned as is), or a local path that
 * resolves, symlinks followed, inside one of the roots the server allows. Anything else is
 * refused with the reason, so a session cannot read arbitrary directories of the worker host.
 */
import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, sep } from 'node:path';
import { workspaceError } from './workspace-error.js';

export type RepositorySource = { kind: 'url'; url: string } | { kind: 'path'; path: string };

/**
 * https://, ssh:// and git:// URLs, and scp-like `user@host:path` (e.g. git@github.com:o/r).
 * User, host and path may not start with a dash: ssh would read `-oProxyCommand=…` as an option
 * (git refuses such hosts too, but only after the clone was tried, and retried).
 */
const GIT_URL =
  /^(?:(?:https|ssh|git):\/\/(?:[^\s/@-][^\s/@]*@)?[A-Za-z0-9[][^\s/]*\/\S*|\w[\w.-]*@[A-Za-z0-9][\w.-]*:[^\s/-]\S*)$/;

export function isGitUrl(repository: string): boolean {
  return GIT_URL.test(repository);
}

export async function resolveRepositorySource(
  repository: string,
  allowedRoots: string[],
): Promise<RepositorySource> {
  if (isGitUrl(repository)) return { kind: 'url', url: repository };
  const roots = allowedRoots.length > 0 ? allowedRoots.join(', ') : '(none configured)';
  if (!isAbsolute(repository)) {
    throw workspaceError(
      `Repository "${repository}" is neither a git URL (https://, ssh://, git://, user@host:path) ` +
        `nor an absolute local path. Local paths must be under an allowed root: ${roots}.`,
    );
  }
  let real: string;
  try {
    real = await realpath(repository);
  } catch (error) {
    throw workspaceError(
      `Repository path ${repository} does not exist or cannot be read (${(error as Error).message}).`,
    );
  }
  for (const root of allowedRoots) {
    const realRoot = await realpath(root).catch(() => null);
    if (realRoot && isPathInside(realRoot, real)) return { kind: 'path', path: real };
  }
  throw workspaceError(
    `Repository path ${repository}${real === repository ? '' : ` (resolves to ${real})`} is not ` +
      `under an allowed root. Allowed roots: ${roots}. Use a path below one of them, or a git URL.`,
  );
}

/** Whether `path` is `root` or below it (lexically; resolve symlinks first where it matters). */
export function isPathInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}
