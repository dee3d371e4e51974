import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepository, makeTempDir } from '../testing/git-fixtures.js';
import { git, GitCommandError, headSha } from './git.js';

let root: string;
beforeAll(async () => {
  root = await makeTempDir('io-git');
});
afterAll(async () => rm(root, { recursive: true, force: true }));

describe('git (through the spawner process)', () => {
  it('answers concurrent commands each with its own output', async () => {
    const repos = await Promise.all(
      [0, 1, 2, 3, 4].map((n) =>
        createRepository(join(root, `r${n}`), { [`file-${n}.txt`]: `${n}\n` }),
      ),
    );
    const heads = await Promise.all(repos.map((_, n) => headSha(join(root, `r${n}`))));
    expect(heads).toEqual(repos);
    const files = await Promise.all(
      [0, 1, 2, 3, 4].map((n) => git(['ls-files'], { cwd: join(root, `r${n}`) })),
    );
    expect(files.map((f) => f.stdout)).toEqual([0, 1, 2, 3, 4].map((n) => `file-${n}.txt`));
  });

  it('returns allowed exit codes and throws the others with git’s message', async () => {
    const repo = join(root, 'codes');
    await createRepository(repo);
    const missing = await git(['show-ref', '--verify', '--quiet', 'refs/heads/nope'], {
      cwd: repo,
      allowExitCodes: [1],
    });
    expect(missing.exitCode).toBe(1);
    const error = await git(['rev-parse', '--verify', 'nope'], { cwd: repo }).catch((e) => e);
    expect(error).toBeInstanceOf(GitCommandError);
    expect((error as GitCommandError).exitCode).toBe(128);
    expect((error as GitCommandError).message).toMatch(/Needed a single revision/);
  });

  it('reports a command that could not start with no exit code', async () => {
    const error = await git(['status'], { cwd: join(root, 'does-not-exist') }).catch((e) => e);
    expect(error).toBeInstanceOf(GitCommandError);
    expect((error as GitCommandError).exitCode).toBeUndefined();
    expect((error as GitCommandError).message).toMatch(/ENOENT/);
  });
});
