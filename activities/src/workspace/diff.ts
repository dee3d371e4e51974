/**
 * What one commit changed, for the console's checkpoint view: the patch against its first
 * parent (the empty tree for a root commit) and per-file counts. Commit ids come from API
 * users, so they are checked before git sees them; the patch is capped, because one commit can
 * rewrite a lock file or a generated bundle of many megabytes.
 */
import { execa } from 'execa';
import { assertCheckout } from './checkout.js';
import { git, GitCommandError } from './git.js';
import { resolveCommit } from './resolve-commit.js';

export type FileChangeStatus = 'added' | 'modified' | 'deleted' | 'renamed';

export interface FileChange {
  path: string;
  status: FileChangeStatus;
  /** Where a renamed file came from. */
  oldPath?: string;
  /** Lines; 0 and 0 for a binary file. */
  additions: number;
  deletions: number;
}

export interface CommitDiff {
  sha: string;
  /** The first parent; null for a root commit. */
  parentSha: string | null;
  patch: string;
  /** The patch was cut at `maxBytes` (at a line end where there is one). */
  truncated: boolean;
  files: FileChange[];
}

export const DEFAULT_MAX_PATCH_BYTES = 2 * 1024 * 1024;

export async function commitDiff(
  path: string,
  sha: string,
  options: { maxBytes?: number } = {},
): Promise<CommitDiff> {
  await assertCheckout(path);
  const commit = await resolveCommit(path, sha, `workspace ${path}`);
  const parent = await git(['rev-parse', '--verify', '--quiet', `${commit}^1`], {
    cwd: path,
    allowExitCodes: [1, 128],
  });
  const parentSha = parent.exitCode === 0 ? parent.stdout.trim() : null;
  // Two trees for a commit with parents (a merge diffs against its first one); --root for a
  // root commit, which then diffs against the empty tree.
  const trees = parentSha ? [parentSha, commit] : ['--root', '--no-commit-id', commit];
  const diffTree = ['diff-tree', '-r', '-M', '--no-color', '--no-ext-diff', '--no-textconv'];

  const [statuses, counts, patch] = await Promise.all([
    git([...diffTree, '--name-status', '-z', ...trees], { cwd: path }),
    git([...diffTree, '--numstat', '-z', ...trees], { cwd: path }),
    cappedGitOutput(
      [...diffTree, '-p', ...trees],
      path,
      options.maxBytes ?? DEFAULT_MAX_PATCH_BYTES,
    ),
  ]);
  return {
    sha: commit,
    parentSha,
    patch: patch.text,
    truncated: patch.truncated,
    files: joinCounts(parseNameStatus(statuses.stdout), parseNumstat(counts.stdout)),
  };
}

/** `-z --name-status`: `M\0path\0`, `R086\0old\0new\0`. */
function parseNameStatus(output: string): FileChange[] {
  const fields = output.split('\0');
  const files: FileChange[] = [];
  for (let i = 0; i < fields.length - 1;) {
    const code = fields[i++] ?? '';
    if (code === '') continue;
    if (code.startsWith('R')) {
      const oldPath = fields[i++] ?? '';
      const path = fields[i++] ?? '';
      files.push({ path, oldPath, status: 'renamed', additions: 0, deletions: 0 });
      continue;
    }
    const path = fields[i++] ?? '';
    // T (a type change, e.g. file to symlink) reads as a modification.
    const status: FileChangeStatus = code === 'A' ? 'added' : code === 'D' ? 'deleted' : 'modified';
    files.push({ path, status, additions: 0, deletions: 0 });
  }
  return files;
}

/** `-z --numstat`: `add\tdel\tpath\0`, or for a rename `add\tdel\t\0old\0new\0`; `-` for binary. */
function parseNumstat(output: string): Map<string, { additions: number; deletions: number }> {
  const fields = output.split('\0');
  const counts = new Map<string, { additions: number; deletions: number }>();
  for (let i = 0; i < fields.length - 1;) {
    const [added = '', deleted = '', inline = ''] = (fields[i++] ?? '').split('\t');
    if (added === '') continue;
    let path = inline;
    if (path === '') {
      // A rename leaves the path empty and names the old and the new path in the next fields.
      path = fields[i + 1] ?? '';
      i += 2;
    }
    counts.set(path, { additions: lineCount(added), deletions: lineCount(deleted) });
  }
  return counts;
}

function lineCount(field: string): number {
  return field === '-' ? 0 : Number(field);
}

function joinCounts(
  files: FileChange[],
  counts: Map<string, { additions: number; deletions: number }>,
): FileChange[] {
  return files.map((file) => ({ ...file, ...counts.get(file.path) }));
}

/**
 * Reads at most `maxBytes` of git's output and stops git after that: the git() helper buffers
 * everything, and a patch of hundreds of megabytes must not be held in memory to send two.
 */
async function cappedGitOutput(
  args: string[],
  cwd: string,
  maxBytes: number,
): Promise<{ text: string; truncated: boolean }> {
  const child = execa('git', args, {
    cwd,
    buffer: { stdout: false, stderr: true },
    reject: false,
    stdin: 'ignore',
    env: { GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
  });
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.length;
    if (size > maxBytes) {
      truncated = true;
      break;
    }
  }
  if (truncated) child.kill();
  const result = await child;
  if (!truncated && result.exitCode !== 0) {
    throw new GitCommandError(args, result.exitCode, result.stderr);
  }
  const bytes = Buffer.concat(chunks);
  if (!truncated) return { text: bytes.toString('utf8'), truncated };
  const kept = bytes.subarray(0, maxBytes);
  // Cut at the last line end, so the patch never ends in half a line or half a character.
  const lineEnd = kept.lastIndexOf(0x0a);
  return {
    text: kept.subarray(0, lineEnd >= 0 ? lineEnd + 1 : maxBytes).toString('utf8'),
    truncated,
  };
}
