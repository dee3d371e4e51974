import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepository, makeTempDir } from '../testing/git-fixtures.js';
import { commitWorkspace } from './commit.js';
import { git, headSha } from './git.js';

let root: string;
beforeAll(async () => {
  root = await makeTempDir('io-commit');
});
afterAll(async () => rm(root, { recursive: true, force: true }));

describe('commitWorkspace', () => {
  it('records nothing for a no-op step and reports the current HEAD', async () => {
    const repo = join(root, 'noop');
    await createRepository(repo, { '.gitignore': 'cache/\n', 'a.txt': 'a\n' });
    const before = await headSha(repo);
    await mkdir(join(repo, 'cache'));
    await writeFile(join(repo, 'cache', 'ignored.txt'), 'ignored\n');
    expect(await commitWorkspace(repo, 'nothing')).toEqual({ sha: before, changed: false });
    expect(await headSha(repo)).toBe(before);
  });

  it('commits new, changed and deleted files, even where untracked files are hidden', async () => {
    const repo = join(root, 'changes');
    await createRepository(repo, { 'a.txt': 'a\n', 'b.txt': 'b\n' });
    await git(['config', 'status.showUntrackedFiles', 'no'], { cwd: repo });
    const before = await headSha(repo);
    await mkdir(join(repo, 'new'));
    await writeFile(join(repo, 'new', 'c.txt'), 'c\n');
    const added = await commitWorkspace(repo, 'add c');
    expect(added.changed).toBe(true);
    expect(added.sha).not.toBe(before);
    expect(added.sha).toBe(await headSha(repo));

    await writeFile(join(repo, 'a.txt'), 'A\n');
    await rm(join(repo, 'b.txt'));
    const edited = await commitWorkspace(repo, 'edit a, remove b');
    expect(edited).toEqual({ sha: await headSha(repo), changed: true });
    const files = await git(['ls-files'], { cwd: repo });
    expect(files.stdout.split('\n')).toEqual(['a.txt', 'new/c.txt']);
  });

  it('does not commit a file put back as it was', async () => {
    const repo = join(root, 'restored');
    await createRepository(repo, { 'a.txt': 'a\n' });
    const before = await headSha(repo);
    await writeFile(join(repo, 'a.txt'), 'changed\n');
    await git(['add', 'a.txt'], { cwd: repo });
    await writeFile(join(repo, 'a.txt'), 'a\n');
    expect(await commitWorkspace(repo, 'nothing')).toEqual({ sha: before, changed: false });
  });

  it('reports no sha in a repository without commits until something is committed', async () => {
    const repo = join(root, 'empty');
    await mkdir(repo);
    await git(['init', '--quiet'], { cwd: repo });
    expect(await commitWorkspace(repo, 'nothing')).toEqual({ sha: null, changed: false });
    await writeFile(join(repo, 'a.txt'), 'a\n');
    const first = await commitWorkspace(repo, 'first');
    expect(first).toEqual({ sha: await headSha(repo), changed: true });
    expect(first.sha).not.toBeNull();
  });
});
