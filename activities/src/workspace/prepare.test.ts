import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepository, makeTempDir } from '../testing/git-fixtures.js';
import { commitWorkspace } from './commit.js';
import { git, headSha } from './git.js';
import { prepareWorkspace, type WorkspaceSettings } from './prepare.js';

let root: string;
let repos: string;
let settings: WorkspaceSettings;
let sourceHead: string;

beforeAll(async () => {
  root = await makeTempDir('io-ws');
  repos = join(root, 'repos');
  settings = { workspacesDir: join(root, 'workspaces'), allowedRoots: [repos] };
  sourceHead = await createRepository(join(repos, 'app'), {
    'README.md': '# app\n',
    'src/a.txt': 'a\n',
  });
});
afterAll(async () => rm(root, { recursive: true, force: true }));

async function failure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ApplicationFailure);
  expect((error as ApplicationFailure).type).toBe('WorkspaceError');
  expect((error as ApplicationFailure).nonRetryable).toBe(true);
  return error as ApplicationFailure;
}

describe('prepareWorkspace', () => {
  it('clones an allowed local repository into <workspacesDir>/<sessionId> on session/<id>', async () => {
    const result = await prepareWorkspace(
      { sessionId: 'local1', repository: join(repos, 'app') },
      settings,
    );
    expect(result).toEqual({
      path: join(settings.workspacesDir, 'local1'),
      branch: 'session/local1',
      baseSha: sourceHead,
    });
    expect(await readFile(join(result.path, 'src/a.txt'), 'utf8')).toBe('a\n');
    const branch = await git(['symbolic-ref', '--short', 'HEAD'], { cwd: result.path });
    expect(branch.stdout.trim()).toBe('session/local1');
  });

  it('is idempotent: a second prepare reuses the checkout, commits and all', async () => {
    const input = { sessionId: 'again', repository: join(repos, 'app') };
    const first = await prepareWorkspace(input, settings);
    await writeFile(join(first.path, 'work.txt'), 'step 1\n');
    const commit = await commitWorkspace(first.path, 'step 1');
    const second = await prepareWorkspace(input, settings);
    expect(second.path).toBe(first.path);
    expect(second.baseSha).toBe(commit.sha);
    expect(await readFile(join(second.path, 'work.txt'), 'utf8')).toBe('step 1\n');
  });

  it('switches a reused checkout back to the session branch', async () => {
    const input = { sessionId: 'switched', repository: join(repos, 'app') };
    const first = await prepareWorkspace(input, settings);
    await git(['checkout', '--quiet', '-b', 'elsewhere'], { cwd: first.path });
    await prepareWorkspace(input, settings);
    const branch = await git(['symbolic-ref', '--short', 'HEAD'], { cwd: first.path });
    expect(branch.stdout.trim()).toBe('session/switched');
  });

  it('prepares from an empty repository (no commits yet)', async () => {
    const empty = join(repos, 'empty');
    await mkdir(empty, { recursive: true });
    await git(['init', '--quiet'], { cwd: empty });
    const result = await prepareWorkspace({ sessionId: 'empty1', repository: empty }, settings);
    expect(result.baseSha).toBeNull();
    expect(await headSha(result.path)).toBeNull();
  });

  it('replaces an empty directory left behind by a crashed attempt', async () => {
    await mkdir(join(settings.workspacesDir, 'crashed'), { recursive: true });
    const result = await prepareWorkspace(
      { sessionId: 'crashed', repository: join(repos, 'app') },
      settings,
    );
    expect(result.baseSha).toBe(sourceHead);
  });

  it('rejects a path outside the allowed roots, naming them', async () => {
    const outside = await makeTempDir('io-outside');
    try {
      await createRepository(outside);
      const error = await failure(
        prepareWorkspace({ sessionId: 'out', repository: outside }, settings),
      );
      expect(error.message).toContain(repos);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('rejects a local folder that is not a git repository', async () => {
    await mkdir(join(repos, 'plain'), { recursive: true });
    const error = await failure(
      prepareWorkspace({ sessionId: 'plain', repository: join(repos, 'plain') }, settings),
    );
    expect(error.message).toContain('is not a git repository');
  });

  it('rejects a folder inside a repository (not its top)', async () => {
    const error = await failure(
      prepareWorkspace({ sessionId: 'sub', repository: join(repos, 'app', 'src') }, settings),
    );
    expect(error.message).toContain(`inside the repository ${join(repos, 'app')}`);
  });

  it('rejects session ids that are not safe directory names', async () => {
    for (const sessionId of ['../escape', 'a/b', '-rf', '', '.hidden']) {
      await failure(prepareWorkspace({ sessionId, repository: join(repos, 'app') }, settings));
    }
  });

  it('refuses to clobber a non-empty directory that is not a checkout', async () => {
    const path = join(settings.workspacesDir, 'occupied');
    await mkdir(path, { recursive: true });
    await writeFile(join(path, 'precious.txt'), 'keep me');
    const error = await failure(
      prepareWorkspace({ sessionId: 'occupied', repository: join(repos, 'app') }, settings),
    );
    expect(error.message).toContain('not a git checkout');
    expect(await readFile(join(path, 'precious.txt'), 'utf8')).toBe('keep me');
  });
});

describe('commitWorkspace', () => {
  it('commits changes (new, modified, deleted files) and reports the new HEAD', async () => {
    const { path, baseSha } = await prepareWorkspace(
      { sessionId: 'commit1', repository: join(repos, 'app') },
      settings,
    );
    await writeFile(join(path, 'new.txt'), 'new\n');
    await writeFile(join(path, 'README.md'), '# changed\n');
    await rm(join(path, 'src/a.txt'));
    const result = await commitWorkspace(path, 'demo: step 1 — change things');
    expect(result.changed).toBe(true);
    expect(result.sha).not.toBe(baseSha);
    expect(result.sha).toBe(await headSha(path));
    const log = await git(['log', '-1', '--format=%s|%an|%ae'], { cwd: path });
    expect(log.stdout.trim()).toBe(
      'demo: step 1 — change things|Industrial Orchestrator|orchestrator@localhost',
    );
    const status = await git(['status', '--porcelain'], { cwd: path });
    expect(status.stdout).toBe('');
  });

  it('does not commit when nothing changed, and keeps HEAD', async () => {
    const { path, baseSha } = await prepareWorkspace(
      { sessionId: 'commit2', repository: join(repos, 'app') },
      settings,
    );
    expect(await commitWorkspace(path, 'nothing')).toEqual({ sha: baseSha, changed: false });
  });

  it('reports a null sha for an empty repository with nothing to commit, then commits the first file', async () => {
    const empty = join(root, 'scratch-empty');
    await mkdir(empty, { recursive: true });
    await git(['init', '--quiet'], { cwd: empty });
    expect(await commitWorkspace(empty, 'nothing')).toEqual({ sha: null, changed: false });
    await writeFile(join(empty, 'first.txt'), '1');
    const first = await commitWorkspace(empty, 'first');
    expect(first.changed).toBe(true);
    expect(first.sha).toMatch(/^[0-9a-f]{40}$/);
  });

  it('ignores the repository hooks that would veto a checkpoint', async () => {
    const { path } = await prepareWorkspace(
      { sessionId: 'hooked', repository: join(repos, 'app') },
      settings,
    );
    await writeFile(join(path, '.git/hooks/pre-commit'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
    await writeFile(join(path, 'x.txt'), 'x');
    expect((await commitWorkspace(path, 'despite hooks')).changed).toBe(true);
  });
});
