import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepository, makeTempDir } from '../testing/git-fixtures.js';
import { commitWorkspace } from './commit.js';
import { commitDiff, DEFAULT_MAX_PATCH_BYTES } from './diff.js';
import { git } from './git.js';

let root: string;
let repo: string;
let rootCommit: string;
let changes: string;

const poem = Array.from({ length: 20 }, (_, i) => `line ${i + 1} of a file long enough to rename`);

beforeAll(async () => {
  root = await makeTempDir('io-diff');
  repo = join(root, 'repo');
  rootCommit = await createRepository(repo, {
    'keep.txt': 'one\ntwo\n',
    'gone.txt': 'bye\n',
    'old-name.txt': `${poem.join('\n')}\n`,
  });
  await writeFile(join(repo, 'keep.txt'), 'one\nTWO\nthree\n');
  await rm(join(repo, 'gone.txt'));
  await rm(join(repo, 'old-name.txt'));
  await writeFile(join(repo, 'new-name.txt'), `${poem.join('\n')}\nand one more line\n`);
  await writeFile(join(repo, 'added.txt'), 'a\nb\n');
  await writeFile(join(repo, 'image.bin'), Buffer.from([0, 1, 2, 0, 255, 0]));
  changes = (await commitWorkspace(repo, 'change things')).sha!;
});
afterAll(async () => rm(root, { recursive: true, force: true }));

async function failure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ApplicationFailure);
  expect((error as ApplicationFailure).type).toBe('WorkspaceError');
  expect((error as ApplicationFailure).nonRetryable).toBe(true);
  return error as ApplicationFailure;
}

describe('commitDiff', () => {
  it('lists added, modified, deleted, renamed and binary files against the parent', async () => {
    const diff = await commitDiff(repo, changes.slice(0, 12));
    expect(diff.sha).toBe(changes);
    expect(diff.parentSha).toBe(rootCommit);
    expect(diff.truncated).toBe(false);
    expect(diff.files).toEqual([
      { path: 'added.txt', status: 'added', additions: 2, deletions: 0 },
      { path: 'gone.txt', status: 'deleted', additions: 0, deletions: 1 },
      { path: 'image.bin', status: 'added', additions: 0, deletions: 0 },
      { path: 'keep.txt', status: 'modified', additions: 2, deletions: 1 },
      {
        path: 'new-name.txt',
        oldPath: 'old-name.txt',
        status: 'renamed',
        additions: 1,
        deletions: 0,
      },
    ]);
    expect(diff.patch).toContain('diff --git a/keep.txt b/keep.txt');
    expect(diff.patch).toContain('+three\n');
    expect(diff.patch).toContain('rename from old-name.txt\nrename to new-name.txt');
    expect(diff.patch).toContain('Binary files /dev/null and b/image.bin differ');
  });

  it('diffs a root commit against the empty tree', async () => {
    const diff = await commitDiff(repo, rootCommit);
    expect(diff.parentSha).toBeNull();
    expect(diff.files.map((file) => [file.path, file.status, file.additions])).toEqual([
      ['gone.txt', 'added', 1],
      ['keep.txt', 'added', 2],
      ['old-name.txt', 'added', 20],
    ]);
    expect(diff.patch).toContain('new file mode');
    expect(diff.patch).not.toContain(rootCommit);
  });

  it('diffs a merge commit against its first parent', async () => {
    const merges = join(root, 'merges');
    await createRepository(merges, { 'a.txt': 'a\n' });
    await git(['checkout', '--quiet', '-b', 'side'], { cwd: merges });
    await writeFile(join(merges, 'side.txt'), 'side\n');
    await commitWorkspace(merges, 'side');
    await git(['checkout', '--quiet', 'main'], { cwd: merges });
    await writeFile(join(merges, 'main.txt'), 'main\n');
    const mainHead = (await commitWorkspace(merges, 'main')).sha;
    await git(['merge', '--quiet', '--no-ff', '--no-edit', 'side'], { cwd: merges });
    const merge = (await git(['rev-parse', 'HEAD'], { cwd: merges })).stdout.trim();

    const diff = await commitDiff(merges, merge);
    expect(diff.parentSha).toBe(mainHead);
    expect(diff.files).toEqual([{ path: 'side.txt', status: 'added', additions: 1, deletions: 0 }]);
  });

  it('caps the patch at maxBytes, at a line end', async () => {
    const diff = await commitDiff(repo, changes, { maxBytes: 200 });
    expect(diff.truncated).toBe(true);
    expect(Buffer.byteLength(diff.patch)).toBeLessThanOrEqual(200);
    expect(diff.patch.endsWith('\n')).toBe(true);
    expect(diff.patch.startsWith('diff --git ')).toBe(true);
    expect(diff.files).toHaveLength(5);
  });

  it('stops reading a patch far over the default cap', async () => {
    const big = join(root, 'big');
    await createRepository(big);
    const line = `${'x'.repeat(99)}\n`;
    await writeFile(join(big, 'huge.txt'), line.repeat(60_000)); // 6 MB
    const sha = (await commitWorkspace(big, 'huge')).sha!;
    const diff = await commitDiff(big, sha);
    expect(diff.truncated).toBe(true);
    expect(Buffer.byteLength(diff.patch)).toBeLessThanOrEqual(DEFAULT_MAX_PATCH_BYTES);
    expect(Buffer.byteLength(diff.patch)).toBeGreaterThan(DEFAULT_MAX_PATCH_BYTES - 200);
    expect(diff.files).toEqual([
      { path: 'huge.txt', status: 'added', additions: 60_000, deletions: 0 },
    ]);
  });

  it('refuses ids that are not plain hex, and commits that do not exist', async () => {
    for (const sha of ['HEAD', 'main', '--output=/tmp/x', 'abc', 'ABCDEF12', `${changes}^`]) {
      const error = await failure(commitDiff(repo, sha));
      expect(error.message).toContain('is not a commit id');
    }
    const unknown = await failure(commitDiff(repo, 'deadbeefdeadbeef'));
    expect(unknown.message).toContain('does not exist');
  });
});
